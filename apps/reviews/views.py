from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from apps.decisions.access import Access, get_access
from apps.decisions.models import Decision, IllegalTransition, Status
from apps.workspaces.models import Membership

from .forms import MOVES, AskForm, ChangeRequestForm, MoveForm, ReplyForm, ThreadForm, move_need
from .models import (
    ChangeRequest,
    MoveConflict,
    ReviewError,
    ReviewRound,
    Thread,
    current_record,
    move_by_hand,
    section_label,
)
from .panel import TEMPLATE, page_regions, panel_context, remember_panel, section_regions


def _decision(request: HttpRequest, workspace_slug: str, number: int, need: str) -> Access:
    return get_access(
        request,
        workspace_slug,
        number,
        need=need,
        queryset=Decision.objects.select_related("owner"),
    )


def _panel(
    request: HttpRequest, decision: Decision, membership: Membership, status: int = 200, **forms
) -> HttpResponse:
    """The fresh panel, with every other region of the decision page that shows what changed
    (status badge, links, banner, each section's comments) as out-of-band swaps, and the event
    `decision-changed` for any region that would rather listen (see review.html)."""
    fresh = Decision.objects.with_record().get(pk=decision.pk)
    record = fresh.to_record()
    context = panel_context(fresh, membership, record, **forms)
    remember_panel(request, fresh, context)
    panel = render_to_string(f"{TEMPLATE}#panel", context, request=request)
    response = HttpResponse(panel + page_regions(request, context, record), status=status)
    response["HX-Trigger"] = json.dumps(
        {"decision-changed": {"status": fresh.status, "revision": fresh.revision}}
    )
    return response


def _done(
    request: HttpRequest, decision: Decision, membership: Membership, anchor: str = "review-panel"
) -> HttpResponse:
    """After a change: HTMX gets the fresh panel and regions, a plain form the page again."""
    if request.htmx:
        return _panel(request, decision, membership)
    return redirect(decision.get_absolute_url() + f"#{anchor}")


def _refused(
    request: HttpRequest, decision: Decision, membership: Membership, status: int = 422, **forms
) -> HttpResponse:
    """Bad input or a step the state forbids: the panel again, with the message and the text.
    409 when someone else's move got there first (the regions show that move, too)."""
    if request.htmx:
        return _panel(request, decision, membership, status, **forms)
    fresh = Decision.objects.with_record().get(pk=decision.pk)
    context = panel_context(fresh, membership, fresh.to_record(), **forms)
    return render(request, TEMPLATE, context, status=status)


def _thread(decision: Decision, pk: int) -> Thread:
    thread = Thread.objects.filter(decision=decision, pk=pk).select_related("round").first()
    if thread is None:
        raise Http404("No such thread.")
    thread.decision = decision
    return thread


def _round(decision: Decision) -> ReviewRound | None:
    round = ReviewRound.objects.open().filter(decision=decision).first()
    if round is not None:
        round.decision = decision
    return round


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_GET
def review(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision, membership = get_access(
        request, workspace_slug, number, queryset=Decision.objects.with_record()
    )
    context = panel_context(decision, membership, decision.to_record())
    if not request.htmx:
        return render(request, TEMPLATE, context)
    # HTMX polls the threads, so others' new comments appear without a reload: in the panel,
    # and beside each section of the decision page.
    threads = render_to_string(f"{TEMPLATE}#threads", context, request=request)
    return HttpResponse(threads + section_regions(request, context))


@login_required
@require_POST
def submit(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    """Send a draft to review (draft of the next version), or ask more reviewers once there."""
    decision, membership = _decision(request, workspace_slug, number, need="edit")
    form = AskForm(request.POST, decision=decision)
    if not form.submit(by=request.user):
        # The reason shows beside the button, with the picked reviewers still picked.
        return _refused(request, decision, membership, ask_form=form)
    if not request.htmx:
        messages.success(request, f"{decision.ref} is in review.")
    return _done(request, decision, membership)


@login_required
@require_POST
def start_thread(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision, membership = _decision(request, workspace_slug, number, need="edit")
    form = ThreadForm(request.POST, record=current_record(decision))
    if not form.is_valid():
        return _refused(request, decision, membership, thread_form=form)
    thread = Thread.start(
        decision, form.cleaned_data["section"], request.user, form.cleaned_data["body"]
    )
    return _done(request, decision, membership, thread.anchor)


@login_required
@require_POST
def reply(request: HttpRequest, workspace_slug: str, number: int, pk: int) -> HttpResponse:
    decision, membership = _decision(request, workspace_slug, number, need="edit")
    thread = _thread(decision, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _refused(request, decision, membership, reply_errors={thread.pk: form})
    thread.reply(request.user, form.cleaned_data["body"])
    return _done(request, decision, membership, thread.anchor)


@login_required
@require_POST
def resolve(request: HttpRequest, workspace_slug: str, number: int, pk: int) -> HttpResponse:
    decision, membership = _decision(request, workspace_slug, number, need="edit")
    thread = _thread(decision, pk)
    thread.resolve(request.user)
    return _done(request, decision, membership, thread.anchor)


@login_required
@require_POST
def reopen(request: HttpRequest, workspace_slug: str, number: int, pk: int) -> HttpResponse:
    decision, membership = _decision(request, workspace_slug, number, need="edit")
    thread = _thread(decision, pk)
    thread.reopen(request.user)
    return _done(request, decision, membership, thread.anchor)


@login_required
@require_POST
def approve(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision, membership = _decision(request, workspace_slug, number, need="review")
    round = _round(decision)
    try:
        if round is None:
            raise ReviewError(f"{decision.ref} is not in review.")
        # The approver may ask for the accepted decision to be reviewed by an earlier day.
        chosen = request.POST.get("review_by", "").strip()
        try:
            review_by = datetime.date.fromisoformat(chosen) if chosen else None
        except ValueError:
            raise ReviewError("The review date must be a day such as 2027-06-30.") from None
        round.approve(request.user, review_by=review_by)
    except ValidationError as error:
        return _refused(request, decision, membership, error=_message(error))
    decision.refresh_from_db(fields=["status"])
    if decision.status == Status.ACCEPTED and not request.htmx:
        messages.success(request, f"{decision.ref} is accepted.")
    return _done(request, decision, membership)


@login_required
@require_POST
def request_changes(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision, membership = _decision(request, workspace_slug, number, need="review")
    form = ChangeRequestForm(request.POST)
    if not form.is_valid():
        return _refused(request, decision, membership, change_form=form)
    round = _round(decision)
    try:
        if round is None:
            raise ReviewError(f"{decision.ref} is not in review.")
        round.request_changes(request.user, form.cleaned_data["note"])
    except ValidationError as error:
        return _refused(request, decision, membership, change_form=form, error=_message(error))
    return _done(request, decision, membership)


@login_required
@require_POST
def withdraw(request: HttpRequest, workspace_slug: str, number: int, pk: int) -> HttpResponse:
    decision, membership = _decision(request, workspace_slug, number, need="review")
    change = ChangeRequest.objects.filter(round__decision=decision, pk=pk).first()
    if change is None:
        raise Http404("No such change request.")
    try:
        change.withdraw(request.user)
    except ValidationError as error:
        return _refused(request, decision, membership, error=_message(error))
    return _done(request, decision, membership)


@login_required
@require_POST
def move(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    """Moves made by hand: back to draft or reopen, reject, deprecate."""
    form = MoveForm(request.POST)
    to = request.POST.get("to", "")
    decision, membership = _decision(request, workspace_slug, number, need="view")
    # The right depends on the move from the status the person saw: withdrawing their own
    # draft is the writers', rejecting a text in review the reviewers'. A stale `seen` is
    # refused under the row lock (move_by_hand), so it cannot borrow the weaker right.
    seen = request.POST.get("seen") or decision.status
    if not membership.allows(move_need(seen, to) if to in MOVES else "edit"):
        raise PermissionDenied(f"Your role ({membership.role}) does not allow this move.")
    if not form.is_valid():
        return _refused(request, decision, membership, move_form=form, error="Choose a status.")
    reason, seen = form.cleaned_data["reason"], form.cleaned_data["seen"] or decision.status
    try:
        move_by_hand(decision, to, request.user, reason, seen=seen)
    except IllegalTransition as error:
        status = 409 if isinstance(error, MoveConflict) else 422
        return _refused(
            request, decision, membership, status, move_form=form, error=_message(error)
        )
    if not request.htmx:
        done = "withdrawn" if seen == Status.DRAFT and to == Status.REJECTED else Status(to).label
        messages.success(request, f"{decision.ref} is {done.lower()}.")
    return _done(request, decision, membership)


__all__ = ["section_label"]
