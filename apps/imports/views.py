from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.formats.readers import FORMATS
from apps.workspaces.access import get_membership

from .importing import (
    ACCEPTED_CHOICES,
    Plan,
    Problem,
    apply,
    check_sizes,
    collect,
    limits,
    make_plan,
)
from .models import PendingImport


class UploadForm(forms.Form):
    format = forms.ChoiceField(
        choices=[("auto", "Detect per file")] + [(f, f) for f in FORMATS],
        initial="auto",
        help_text="MADR, Nygard/adr-tools, log4brains or “Decide on” pages; detected per file.",
    )
    accepted = forms.ChoiceField(
        label="Files marked accepted",
        choices=list(ACCEPTED_CHOICES.items()),
        initial="elsewhere",
        required=False,  # an upload that does not say gets the default
        widget=forms.RadioSelect,
        help_text="Nothing is accepted here without a review here.",
    )


def _membership(request: HttpRequest, workspace_slug: str):
    membership = get_membership(request, workspace_slug)
    if not membership.allows("edit"):
        raise PermissionDenied(f"Your role ({membership.role}) does not allow importing.")
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    workspace = _membership(request, workspace_slug).workspace
    form = UploadForm(request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        uploads = request.FILES.getlist("files")
        plan = _check_sizes(uploads)
        if not uploads:
            plan.problems.append(Problem("", "Choose one or more Markdown files, or a zip."))
        if not plan.problems:
            files, plan = collect([(u.name, u.read()) for u in uploads])
            unpacked = list(plan.notes)
            format = form.cleaned_data["format"]
            accepted = form.cleaned_data["accepted"] or "elsewhere"
            plan = make_plan(files, workspace, format, plan=plan, accepted=accepted)
            if not plan.items and not plan.problems:
                plan.problems.append(Problem("", "No decision to import among these files."))
            if plan.ok:
                pending = PendingImport.keep(
                    workspace, request.user, files, format, accepted, notes=unpacked
                )
                return redirect("imports:preview", workspace_slug=workspace_slug, pk=pending.pk)
    # A POST that lands here did not import: the form or the files need fixing.
    status = 422 if request.method == "POST" else 200
    context = {"workspace": workspace, "form": form, "plan": plan, "limits": _limits()}
    return render(request, "imports/upload.html", context, status=status)


def _check_sizes(uploads) -> Plan:
    """Before anything is read into memory: each file, and all of them, against the limits."""
    return Plan(problems=check_sizes([(upload.name, upload.size) for upload in uploads]))


def _limits() -> dict:
    found = limits()
    return {"file_mb": found["file"] // 2**20, "total_mb": found["total"] // 2**20, **found}


def _pending(request: HttpRequest, workspace_slug: str, pk: int) -> PendingImport:
    workspace = _membership(request, workspace_slug).workspace
    pending = get_object_or_404(PendingImport, pk=pk, workspace=workspace, user=request.user)
    # The upload lives in the storage (a folder or a bucket): lost there, it is gone, not a 500.
    if not pending.archive.storage.exists(pending.archive.name):
        raise Http404("This upload is no longer kept: upload the files again.")
    return pending


@login_required
@require_http_methods(["GET"])
def preview(request: HttpRequest, workspace_slug: str, pk: int) -> HttpResponse:
    pending = _pending(request, workspace_slug, pk)
    plan = _plan(pending)
    context = {"workspace": pending.workspace, "pending": pending, "plan": plan}
    return render(request, "imports/preview.html", context)


def _plan(pending: PendingImport) -> Plan:
    plan = Plan(notes=list(pending.notes))
    return make_plan(
        pending.files(), pending.workspace, pending.format, plan=plan, accepted=pending.accepted
    )


@login_required
@require_POST
def confirm(request: HttpRequest, workspace_slug: str, pk: int) -> HttpResponse:
    pending = _pending(request, workspace_slug, pk)
    # Planned again: someone may have added decisions since the preview.
    plan = _plan(pending)
    context = {"workspace": pending.workspace, "pending": pending, "plan": plan}
    if not plan.ok:
        return render(request, "imports/preview.html", context, status=409)
    try:
        decisions = apply(plan, pending.workspace, by=request.user)
    except DatabaseError as error:
        # The plan checks what the database refuses; should it miss something, the person is
        # told what and nothing is half imported (apply is one transaction), never a 500.
        plan.problems.append(Problem("", f"The database refused the import: {error}"))
        return render(request, "imports/preview.html", context, status=422)
    pending.delete()
    messages.success(
        request, f"Imported {len(decisions)} decision(s) and {len(plan.links)} relation(s)."
    )
    return redirect(reverse("decisions:log") + f"?workspace={workspace_slug}")


@login_required
@require_POST
def discard(request: HttpRequest, workspace_slug: str, pk: int) -> HttpResponse:
    _pending(request, workspace_slug, pk).delete()
    messages.info(request, "The upload was discarded; nothing was imported.")
    return redirect("imports:upload", workspace_slug=workspace_slug)
