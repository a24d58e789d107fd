"""What every view repeats: a page or its swapped region, a page of a list, a download."""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_partial(
    request: HttpRequest,
    template: str,
    context: dict,
    partial: str | None = None,
    status: int | None = None,
) -> HttpResponse:
    """The whole page, or for an htmx request only its `{% partialdef partial %}` region."""
    name = f"{template}#{partial}" if partial and request.htmx else template
    return render(request, name, context, status=status)


def paginate(
    request: HttpRequest,
    items,
    per_page: int,
    querystring: Callable[[int], str] | None = None,
    number: int | str | None = None,
) -> dict:
    """One page of `items` (`?page=`, or `number`), with query strings for the pages around it.

    `querystring(n)` builds the link to page n, so a filtered list keeps its filters.
    """
    page: Page = Paginator(items, per_page).get_page(
        number if number is not None else request.GET.get("page")
    )
    link = querystring or (lambda n: f"page={n}")
    return {
        "page": page,
        "querystring_prev": link(page.previous_page_number()) if page.has_previous() else "",
        "querystring_next": link(page.next_page_number()) if page.has_next() else "",
    }


def download_page(request: HttpRequest, filename: str) -> HttpResponse:
    """What a GET of a download address answers: a button that asks for the file by POST.

    An `<img>` or a link in someone's text makes a reader's browser GET any address of ours, so a
    GET must neither record an export in the reader's name nor render a PDF. Only the app's own
    download buttons, POST forms with the CSRF token, get the file.
    """
    return render(request, "core/download.html", {"filename": filename})


def download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    """A file the browser saves under `filename` rather than shows."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
