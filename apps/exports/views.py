from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.core.pdf import PdfRenderError
from apps.decisions.access import get_decision_for
from apps.decisions.models import Decision
from apps.people.activity import record_event

from .render import record_markdown, record_pdf


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def decision_markdown(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    decision = get_decision_for(request, slug, number, queryset=Decision.objects.with_record())
    body = record_markdown(decision.to_record()).encode()
    record_event(decision.workspace, request.user, "exported", target=decision, format="md")
    return _download(body, "text/markdown; charset=utf-8", f"{decision.file_stem}.md")


@login_required
@require_GET
def decision_pdf(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    decision = get_decision_for(request, slug, number, queryset=Decision.objects.with_record())
    try:
        pdf = record_pdf(decision.to_record())
    except PdfRenderError as error:
        return render(
            request, "exports/pdf_failed.html", {"decision": decision, "error": error}, status=503
        )
    record_event(decision.workspace, request.user, "exported", target=decision, format="pdf")
    return _download(pdf, "application/pdf", f"{decision.file_stem}.pdf")
