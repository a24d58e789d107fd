"""The read API: JSON over the same records, filters, search and rights as the pages.

Every endpoint is GET (HEAD) only and authenticated by a personal token:
`Authorization: Bearer adroit_…`. Sessions are not accepted, so a page cannot be made to call it.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from apps.decisions.access import get_decision_for
from apps.decisions.filters import filters_for
from apps.decisions.models import Decision
from apps.search.query import matching_by_index, search
from apps.upkeep.health import health as workspace_health
from apps.versions.models import Version
from apps.workspaces.access import get_membership

from .forms import TokenForm
from .models import ApiToken
from .openapi import description

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def api_view(view):
    """Token authentication and read-only methods for an API endpoint."""

    @csrf_exempt  # nothing here changes state; POST and friends get 405, not a CSRF 403
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            response = _error(405, "The API is read-only: use GET.")
            response["Allow"] = "GET, HEAD"
            return response
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        user = (
            ApiToken.user_for(token.strip())
            if scheme.lower() in {"bearer", "token"} and token
            else None
        )
        if user is None:
            response = _error(
                401,
                "Send a valid API token: 'Authorization: Bearer <token>'."
                " Create one on /api/tokens/.",
            )
            response["WWW-Authenticate"] = 'Bearer realm="adroit"'
            return response
        # The pages' access checks read request.user: the token's owner, with the same rights.
        request.user = user
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return _error(404, "No such decision or version here.")

    return wrapper


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _summary(request: HttpRequest, d: Decision) -> dict:
    slug = d.workspace.slug
    return {
        "workspace": slug,
        "number": d.number,
        "ref": d.ref,
        "title": d.title,
        "status": d.status,
        "owner": d.owner_name,
        "tags": sorted(t.name for t in d.tags.all()),
        "decided_on": d.decided_on.isoformat() if d.decided_on else None,
        "review_by": d.review_by.isoformat() if d.review_by else None,
        "updated_at": d.updated_at.isoformat(),
        "url": _absolute(request, d.get_absolute_url()),
        "api_url": _absolute(request, reverse("api:decision", args=[slug, d.number])),
    }


@api_view
def decisions(request: HttpRequest) -> HttpResponse:
    form, _ = filters_for(request)
    if not form.is_valid():
        return _error(400, "Some filters are not valid.", fields=form.errors.get_json_data())
    try:
        size = min(max(int(request.GET.get("page_size", PAGE_SIZE)), 1), MAX_PAGE_SIZE)
        number = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return _error(400, "page and page_size must be whole numbers.")
    found = form.apply(Decision.objects.for_user(request.user))
    q = form.values.get("q", "")
    with matching_by_index():
        found = search(found, q) if q else found.order_by("workspace__slug", "-number")
        paginator = Paginator(found.for_log(), size)
        if number > max(paginator.num_pages, 1):
            return _error(404, f"There are {paginator.num_pages} pages.")
        page = paginator.page(number)
        results = [_summary(request, d) for d in page]

    def link(n: int) -> str:
        return _absolute(request, "?" + form.querystring(page=n, page_size=size))

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": results,
        }
    )


@api_view
def decision(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    d = get_decision_for(request, workspace_slug, number, queryset=Decision.objects.with_record())
    return JsonResponse(
        {
            **_summary(request, d),
            "revision": d.revision,
            "needs_attention": d.needs_attention,
            "versions_url": _absolute(
                request, reverse("api:versions", args=[workspace_slug, number])
            ),
            "record": d.to_record().to_dict(),
        }
    )


@api_view
def health(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    try:
        workspace = get_membership(request, workspace_slug).workspace
    except Http404:
        return _error(404, "No such workspace of yours.")
    figures = {}
    for figure in workspace_health(workspace):
        figures[figure.key] = {
            "label": figure.label,
            "count": figure.count,
            "items": [
                {
                    "ref": row.decision.ref,
                    "number": row.decision.number,
                    "title": row.decision.title,
                    "detail": row.detail,
                    "url": _absolute(request, row.decision.get_absolute_url()),
                    "api_url": _absolute(
                        request, reverse("api:decision", args=[workspace.slug, row.decision.number])
                    ),
                }
                for row in figure.rows
            ],
        }
    return JsonResponse(
        {"workspace": workspace.slug, "as_of": timezone.localdate().isoformat(), "figures": figures}
    )


@api_view
def versions(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    d = get_decision_for(request, workspace_slug, number)
    rows = Version.objects.filter(decision=d).order_by("number").defer("markdown", "snapshot")
    return JsonResponse(
        {
            "decision": d.ref,
            "results": [
                {
                    "number": v.number,
                    "sha256": v.sha256,
                    "accepted_by": v.accepted_by,
                    "created_at": v.created_at.isoformat(),
                    "approvals": v.approvals,
                    "markdown_url": _absolute(
                        request,
                        reverse("api:version-markdown", args=[workspace_slug, number, v.number]),
                    ),
                }
                for v in rows
            ],
        }
    )


@api_view
def version_markdown(
    request: HttpRequest, workspace_slug: str, number: int, version: int
) -> HttpResponse:
    d = get_decision_for(request, workspace_slug, number)
    v = Version.objects.filter(decision=d, number=min(version, 2_147_483_647)).first()
    if v is None:
        raise Http404
    response = HttpResponse(v.markdown.encode(), content_type="text/markdown; charset=utf-8")
    response["ETag"] = f'"{v.sha256}"'
    return response


@require_http_methods(["GET", "HEAD"])
def openapi(request: HttpRequest) -> HttpResponse:
    # The description is public, like any API reference; it names no data.
    return JsonResponse(description(request.build_absolute_uri("/api/")))


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        _, created = ApiToken.issue(request.user, form.cleaned_data["name"])
        form = TokenForm()
    status = 400 if request.method == "POST" and created is None else 200
    return render(
        request,
        "api/tokens.html",
        {"form": form, "created": created, "tokens": ApiToken.objects.filter(user=request.user)},
        status=status,
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.revoke()
    messages.success(request, f"Token “{token.name}” is revoked.")
    return redirect("api:tokens")


@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    """/api/ itself: what the API offers and where, read off its OpenAPI description so the
    two never disagree. Public, like the description; it names no data."""
    base = request.build_absolute_uri(reverse("api:index")).rstrip("/")
    spec = description(base + "/")
    return JsonResponse(
        {
            "name": spec["info"]["title"],
            "version": spec["info"]["version"],
            "description": spec["info"]["description"],
            "authentication": (
                "Send 'Authorization: Bearer <token>' with every request; each person makes "
                "their own tokens on the tokens page."
            ),
            "links": {
                "openapi": request.build_absolute_uri(reverse("api:openapi")),
                "tokens": request.build_absolute_uri(reverse("api:tokens")),
            },
            "endpoints": [
                {"url": base + path, "method": method.upper(), "summary": op.get("summary", "")}
                for path, item in spec["paths"].items()
                for method, op in item.items()
                if isinstance(op, dict)
            ],
        },
        json_dumps_params={"indent": 2},
    )
