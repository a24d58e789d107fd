"""Keeping accepted decisions alive: confirm still valid, the confirmation checklist, the health
view and what is due for me."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.activity.events import notify, record_event
from apps.core.http import render_partial
from apps.decisions.access import get_access
from apps.decisions.models import (
    ConfirmationItem,
    ConfirmationState,
    Decision,
    IllegalTransition,
    Status,
)
from apps.reviews.models import Contribution
from apps.workspaces.access import get_membership
from apps.workspaces.models import Membership, Workspace

from .forms import ItemForm, PeriodForm, StateForm, StillValidForm
from .health import health as health_figures
from .panel import LIVE, TEMPLATE, panel_context
from .reminders import decision_people, due_lines

MAX_ITEMS = 50
MINE_LINES = 200


def _panel(
    request: HttpRequest, decision: Decision, membership: Membership, status: int = 200, **forms
) -> HttpResponse:
    """After a change: HTMX gets the fresh region, a plain form the decision page again; with
    a refusal, the region (or its page) with the message and the typed text."""
    if status == 200 and not request.htmx:
        return redirect(decision.get_absolute_url() + "#upkeep")
    fresh = Decision.objects.select_related("workspace", "owner").get(pk=decision.pk)
    context = panel_context(fresh, membership, request.user, **forms)
    if request.htmx:
        return render(request, f"{TEMPLATE}#panel", context, status=status)
    return render(request, "upkeep/refused.html", context, status=status)


@login_required
@require_POST
def still_valid(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision, membership = get_access(request, workspace_slug, number, need="review")
    form = StillValidForm(request.POST)
    if not form.is_valid():
        return _panel(request, decision, membership, 422, valid_form=form)
    try:
        decision.confirm_still_valid(
            request.user, form.cleaned_data["note"], form.cleaned_data["until"]
        )
    except IllegalTransition as error:
        return _panel(request, decision, membership, 409, valid_form=form, error=error.message)
    messages.success(
        request, f"{decision.ref} is confirmed as still valid until {decision.review_by}."
    )
    return _panel(request, decision, membership)


def _item(decision: Decision, pk: int) -> ConfirmationItem:
    item = ConfirmationItem.objects.filter(decision=decision, pk=pk).first()
    if item is None:
        raise Http404("No such confirmation item on this decision.")
    return item


@login_required
@require_POST
def set_state(request: HttpRequest, workspace_slug: str, number: int, pk: int) -> HttpResponse:
    decision, membership = get_access(request, workspace_slug, number, need="edit")
    item = _item(decision, pk)
    form = StateForm(request.POST)
    if not form.is_valid():
        return _panel(request, decision, membership, 422, state_forms={item.pk: form})
    state, note = form.cleaned_data["state"], form.cleaned_data["note"].strip()
    with transaction.atomic():
        locked = Decision.objects.filter(pk=decision.pk).locked().values_list("status", flat=True)
        if locked.get() not in LIVE:
            return _panel(
                request,
                decision,
                membership,
                409,
                state_forms={item.pk: form},
                error=f"{decision.ref} is not accepted: its checks are set once it is.",
            )
        now = timezone.now()
        ConfirmationItem.objects.filter(pk=item.pk).update(
            state=state,
            note=note,
            set_by=request.user,
            set_by_name=request.user.get_full_name() or request.user.username,
            set_at=now,
        )
        # The page is cached by `updated_at` (apps/decisions/cache.py): move it so the change shows.
        Decision.objects.filter(pk=decision.pk).update(updated_at=now)
        record_event(
            decision.workspace,
            request.user,
            "confirmation_set",
            target=decision,
            item=item.text,
            state=state,
            note=note,
        )
        if state == ConfirmationState.FAILED:
            who = request.user.get_full_name() or request.user.username
            for person in decision_people(decision):
                if person.pk != request.user.pk:
                    notify(
                        person,
                        f"{who}: the check “{item.text[:120]}” of {decision} failed. "
                        "The decision needs attention.",
                        decision.get_absolute_url() + "#confirmation",
                    )
    return _panel(request, decision, membership)


# --- the checklist of a draft ------------------------------------------------------------------


def _checklist(request, decision, membership, status=200, form=None, error="") -> HttpResponse:
    items = list(
        ConfirmationItem.objects.filter(decision=decision).select_related("owner", "set_by")
    )
    context = {
        "decision": decision,
        "membership": membership,
        "items": items,
        "editable": decision.status == Status.DRAFT and membership.allows("edit"),
        "form": form or ItemForm(decision=decision),
        "item_forms": [
            (
                item,
                ItemForm(
                    decision=decision,
                    initial={
                        "text": item.text,
                        "owner": item.owner_id,
                        "due": item.due,
                        "revision": decision.revision,
                    },
                    prefix=f"item-{item.pk}",
                ),
            )
            for item in items
        ],
        "error": error,
        "max_items": MAX_ITEMS,
    }
    return render_partial(request, "upkeep/checklist.html", context, "items", status=status)


@login_required
@require_GET
def checklist(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision, membership = get_access(
        request, workspace_slug, number, need="edit", queryset=Decision.objects.all()
    )
    return _checklist(request, decision, membership)


def _write(request, workspace_slug, number, change, prefix=None) -> HttpResponse:
    """Apply `change(decision, form)` to a draft's checklist, if nobody saved since the page
    was loaded (the editor's optimistic lock); record the writer (four eyes, apps/reviews)."""
    decision, membership = get_access(request, workspace_slug, number, need="edit")
    form = ItemForm(request.POST, decision=decision, prefix=prefix)
    if decision.status != Status.DRAFT:
        return _checklist(
            request, decision, membership, 409, form, "Only a draft's checklist can change."
        )
    if not form.is_valid():
        stale = (
            "The page is out of date: reload it and try again." if "revision" in form.errors else ""
        )
        return _checklist(request, decision, membership, 422, form, stale)
    with transaction.atomic():
        if not decision.bump_revision(form.cleaned_data["revision"]):
            decision.refresh_from_db()
            return _checklist(
                request,
                decision,
                membership,
                409,
                form,
                "Someone else changed this decision meanwhile: your text is kept below; "
                "add it again if it still applies.",
            )
        error = change(decision, form)
        if error:
            transaction.set_rollback(True)
            decision.refresh_from_db()
            return _checklist(request, decision, membership, 422, form, error)
        Contribution.record(decision, request.user)
    if request.htmx:
        decision.refresh_from_db()
        return _checklist(request, decision, membership)
    return redirect("upkeep:checklist", workspace_slug, number)


@login_required
@require_POST
def add_item(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    def change(decision: Decision, form: ItemForm) -> str:
        if ConfirmationItem.objects.filter(decision=decision).count() >= MAX_ITEMS:
            return f"A checklist holds at most {MAX_ITEMS} items."
        top = ConfirmationItem.objects.filter(decision=decision).order_by("-position").first()
        ConfirmationItem.objects.create(
            decision=decision,
            position=(top.position + 1) if top else 0,
            text=form.cleaned_data["text"],
            owner=form.owner_user,
            due=form.cleaned_data["due"],
        )
        return ""

    return _write(request, workspace_slug, number, change)


@login_required
@require_POST
def save_item(request: HttpRequest, workspace_slug: str, number: int, pk: int) -> HttpResponse:
    def change(decision: Decision, form: ItemForm) -> str:
        item = _item(decision, pk)
        item.text, item.owner, item.due = (
            form.cleaned_data["text"],
            form.owner_user,
            form.cleaned_data["due"],
        )
        item.owner_name = ""  # named from the members now, no longer as a file wrote it
        item.save(update_fields=["text", "owner", "owner_name", "due"])
        return ""

    return _write(request, workspace_slug, number, change, prefix=f"item-{pk}")


@login_required
@require_POST
def remove_item(request: HttpRequest, workspace_slug: str, number: int, pk: int) -> HttpResponse:
    decision, membership = get_access(request, workspace_slug, number, need="edit")
    item = _item(decision, pk)
    if decision.status != Status.DRAFT:
        return _checklist(
            request, decision, membership, 409, error="Only a draft's checklist can change."
        )
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        return _checklist(request, decision, membership, 422, error="The page is out of date.")
    with transaction.atomic():
        if not decision.bump_revision(revision):
            decision.refresh_from_db()
            return _checklist(
                request,
                decision,
                membership,
                409,
                error="Someone else changed this decision meanwhile; nothing was removed.",
            )
        item.delete()
        ConfirmationItem.objects.filter(decision=decision, position__gt=item.position).update(
            position=F("position") - 1
        )
        Contribution.record(decision, request.user)
    if request.htmx:
        decision.refresh_from_db()
        return _checklist(request, decision, membership)
    return redirect("upkeep:checklist", workspace_slug, number)


# --- the workspace's health and what is due for me --------------------------------------------


@login_required
@require_GET
def health(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership(request, workspace_slug)
    return _health(request, membership)


def _health(request, membership, form=None, status=200) -> HttpResponse:
    workspace = membership.workspace
    context = {
        "workspace": workspace,
        "membership": membership,
        "figures": health_figures(workspace),
        "period_form": form or PeriodForm(instance=workspace),
        "today": timezone.localdate(),
    }
    return render(request, "upkeep/health.html", context, status=status)


@login_required
@require_POST
def period(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership(request, workspace_slug)
    if not membership.allows("admin"):
        raise PermissionDenied("Only the workspace's admins set its review period.")
    workspace = membership.workspace
    before = workspace.review_months
    form = PeriodForm(request.POST, instance=workspace)
    if not form.is_valid():
        workspace.review_months = before
        return _health(request, membership, form, status=422)
    Workspace.objects.filter(pk=workspace.pk).update(
        review_months=form.cleaned_data["review_months"]
    )
    if before != workspace.review_months:
        record_event(
            workspace,
            request.user,
            "review_period_changed",
            target=workspace,
            before=before,
            after=workspace.review_months,
        )
    messages.success(
        request,
        f"Decisions accepted from now on are due for review after {workspace.review_months} "
        "months.",
    )
    return redirect("upkeep:health", workspace.slug)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    lines = due_lines(today, user=request.user).get(request.user, [])
    return render(
        request,
        "upkeep/mine.html",
        {
            # The oldest due first; a page of thousands helps nobody.
            "lines": [(line, line.sentence(today)) for line in lines[:MINE_LINES]],
            "more": max(len(lines) - MINE_LINES, 0),
            "today": today,
            "workspaces": Workspace.objects.for_user(request.user),
        },
    )
