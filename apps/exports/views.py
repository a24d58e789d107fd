from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.activity.events import record_event
from apps.core.http import download, download_page, render_partial
from apps.core.pdf import PdfRenderError
from apps.decisions.access import get_decision_for
from apps.decisions.cache import cached, load_record, with_page_key
from apps.decisions.models import Decision, Status
from apps.decisions.rendering import download_markdown
from apps.formats.writers import FORMATS
from apps.workspaces.access import get_membership

from .models import ExportJob, TooManyJobs
from .packs import decision_pdf as decision_pdf_bytes
from .registry import EXTRA_FORMATS
from .tasks import run_export


# A GET of a download address gets a button (download_page): only a POST from it renders the
# file and records the export, so an image or link in someone's text can do neither.
@login_required
@require_http_methods(["GET", "POST"])
def decision_markdown(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    # One query for the row and its cache key; the file is written once per revision of the
    # decision, of those it links to and of its folder's names (apps/decisions/cache.py).
    decision = get_decision_for(
        request,
        workspace_slug,
        number,
        queryset=with_page_key(Decision.objects.select_related("source"), folder=True),
    )
    name, text = cached(decision, "markdown", lambda: download_markdown(load_record(decision)))
    if request.method == "GET":
        return download_page(request, name)
    record_event(decision.workspace, request.user, "exported", target=decision, format="md")
    return download(text.encode(), "text/markdown; charset=utf-8", name)


@login_required
@require_http_methods(["GET", "POST"])
def decision_pdf(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision = get_decision_for(
        request, workspace_slug, number, queryset=Decision.objects.with_record()
    )
    if request.method == "GET":
        return download_page(request, f"{decision.file_stem}.pdf")
    try:
        pdf = decision_pdf_bytes(decision)
    except PdfRenderError as error:
        return render(
            request, "exports/pdf_failed.html", {"decision": decision, "error": error}, status=503
        )
    record_event(decision.workspace, request.user, "exported", target=decision, format="pdf")
    return download(pdf, "application/pdf", f"{decision.file_stem}.pdf")


# --- Background exports: the zip of the log and board packs ----------------------------------


def zip_formats() -> list[tuple[str, str]]:
    """The writers' formats, then those registered from above (the static site)."""
    return [(k, f.label) for k, f in FORMATS.items()] + [
        (k, f.label) for k, f in EXTRA_FORMATS.items()
    ]


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=zip_formats, initial="madr")


def _workspace(request: HttpRequest, workspace_slug: str):
    return get_membership(request, workspace_slug).workspace


@login_required
@require_GET
def exports_page(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    workspace = _workspace(request, workspace_slug)
    status = request.GET.get("status", "")
    decisions = Decision.objects.filter(workspace=workspace).order_by("-number")
    if status in Status.values:
        decisions = decisions.filter(status=status)
    jobs = ExportJob.objects.filter(workspace=workspace, requested_by=request.user)[:10]
    return render(
        request,
        "exports/exports.html",
        {
            "workspace": workspace,
            "form": ExportForm(),
            "decisions": decisions.only("pk", "number", "title", "status", "workspace_id"),
            "statuses": Status.choices,
            "status": status,
            "jobs": jobs,
        },
    )


@login_required
@require_POST
def start_export(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    workspace = _workspace(request, workspace_slug)
    kind = request.POST.get("kind")
    job = ExportJob(workspace=workspace, requested_by=request.user)
    if kind == ExportJob.Kind.ZIP:
        form = ExportForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose one of the formats.")
            return redirect("exports:page", workspace_slug=workspace_slug)
        job.kind, job.format = kind, form.cleaned_data["format"]
    elif kind == ExportJob.Kind.BOARD_PACK:
        wanted = {int(pk) for pk in request.POST.getlist("decisions") if pk.isdigit()}
        chosen = list(
            Decision.objects.filter(workspace=workspace, pk__in=wanted).values_list("pk", flat=True)
        )
        if not chosen:
            messages.error(request, "Choose at least one decision for the board pack.")
            return redirect("exports:page", workspace_slug=workspace_slug)
        job.kind, job.decision_ids, job.format = kind, sorted(chosen), "pdf"
    else:
        return HttpResponse("Unknown kind of export.", status=400)
    try:
        job.queue()
    except TooManyJobs as error:
        messages.error(request, str(error))
        return redirect("exports:page", workspace_slug=workspace_slug)
    record_event(workspace, request.user, "export_requested", target=workspace, kind=job.kind)
    # Only once the job row is committed may a worker look for it.
    transaction.on_commit(lambda: run_export.using(queue_name=job.queue_name).enqueue(job.pk))
    return redirect(job)


def _job(request: HttpRequest, workspace_slug: str, pk: int) -> ExportJob:
    workspace = _workspace(request, workspace_slug)
    job = ExportJob.objects.filter(pk=pk, workspace=workspace).first()
    if job is None:
        raise Http404("No such export.")
    job.workspace = workspace
    return job


@login_required
@require_GET
def job_page(request: HttpRequest, workspace_slug: str, pk: int) -> HttpResponse:
    job = _job(request, workspace_slug, pk)
    context = {"job": job, "workspace": job.workspace}
    return render_partial(request, "exports/job.html", context, "progress")


@login_required
@require_http_methods(["GET", "POST"])
def job_download(request: HttpRequest, workspace_slug: str, pk: int) -> HttpResponse:
    job = _job(request, workspace_slug, pk)
    if job.state != ExportJob.State.DONE:
        raise Http404("This export is not ready.")
    if request.method == "GET":
        return download_page(request, job.filename)
    # Streamed from the storage (file system or bucket) by this view, which checked the rights:
    # the storage has no public address. Expired or lost, the file is gone: say so, don't 500.
    if not job.result or not job.result.storage.exists(job.result.name):
        keep_days = settings.ADROIT_EXPORTS_KEEP_DAYS
        context = {"job": job, "workspace": job.workspace, "keep_days": keep_days}
        return render(request, "exports/job_gone.html", context, status=410)
    record_event(job.workspace, request.user, "exported", target=job.workspace, kind=job.kind)
    return FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=job.content_type,
    )
