from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from apps.activity.events import record_event
from apps.core.http import download, download_page, render_partial
from apps.core.pdf import PdfRenderError
from apps.decisions.access import get_decision_for
from apps.decisions.models import Decision
from apps.decisions.rendering import page_link_for, record_html

from .diff import compare
from .models import Version
from .rendering import version_pdf


def _activity(request: HttpRequest, decision: Decision, verb: str, **data) -> None:
    record_event(decision.workspace, request.user, verb, target=decision, **data)


def _versions(decision: Decision) -> list[Version]:
    return list(Version.objects.filter(decision=decision).defer("snapshot", "markdown"))


def _version(decision: Decision, number: int) -> Version:
    version = Version.objects.filter(decision=decision, number=number).first()
    if version is None:
        raise Http404("No such version.")
    version.decision = decision
    return version


@login_required
@require_GET
def version_list(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision = get_decision_for(request, workspace_slug, number)
    versions = _versions(decision)
    context = {"decision": decision, "versions": versions}
    if len(versions) >= 2:
        context["diff_from"], context["diff_to"] = versions[-2].number, versions[-1].number
    return render_partial(request, "versions/list.html", context, "list")


@login_required
@require_GET
def detail(request: HttpRequest, workspace_slug: str, number: int, version: int) -> HttpResponse:
    decision = get_decision_for(request, workspace_slug, number)
    frozen = _version(decision, version)
    record = frozen.record()
    context = {
        "decision": decision,
        "version": frozen,
        "record": record,
        "body": record_html(
            record, page_link_for(workspace_slug), decision.workspace.image_host_list
        ),
        "versions": _versions(decision),
    }
    return render_partial(request, "versions/detail.html", context, "body")


@login_required
@require_GET
def diff(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    """Version `a` against version `b`, section by section (?a=1&b=2)."""
    decision = get_decision_for(request, workspace_slug, number)
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        raise Http404("Name two versions: ?a=1&b=2.") from None
    old, new = _version(decision, a), _version(decision, b)
    sections = compare(old.markdown, new.markdown)
    context = {
        "decision": decision,
        "old": old,
        "new": new,
        "sections": sections,
        "changed": [s for s in sections if s.state != "same"],
        "unchanged": sum(1 for s in sections if s.state == "same"),
        "versions": _versions(decision),
    }
    return render_partial(request, "versions/diff.html", context, "sections")


@login_required
@require_http_methods(["GET", "POST"])
def markdown(request: HttpRequest, workspace_slug: str, number: int, version: int) -> HttpResponse:
    decision = get_decision_for(request, workspace_slug, number)
    frozen = _version(decision, version)
    if request.method == "GET":  # a button, never the file: see download_page
        return download_page(request, f"{frozen.file_stem}.md")
    _activity(request, decision, "exported", format="md", version=frozen.number)
    # The stored bytes, never a re-rendering: the same version always downloads the same file.
    return download(
        frozen.markdown.encode(), "text/markdown; charset=utf-8", f"{frozen.file_stem}.md"
    )


@login_required
@require_http_methods(["GET", "POST"])
def pdf(request: HttpRequest, workspace_slug: str, number: int, version: int) -> HttpResponse:
    decision = get_decision_for(request, workspace_slug, number)
    frozen = _version(decision, version)
    if request.method == "GET":
        return download_page(request, f"{frozen.file_stem}.pdf")
    try:
        body = version_pdf(frozen, _versions(decision), decision.workspace.name, decision.status)
    except PdfRenderError as error:
        return render(
            request, "exports/pdf_failed.html", {"decision": decision, "error": error}, status=503
        )
    _activity(request, decision, "exported", format="pdf", version=frozen.number)
    return download(body, "application/pdf", f"{frozen.file_stem}.pdf")
