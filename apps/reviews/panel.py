"""The review panel: what the review page and the decision page show of a decision's review."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from django.db import connection
from django.db.models import Prefetch
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject

from apps.decisions.cache import cached, read_ahead
from apps.decisions.models import Decision
from apps.formats.record import Record
from apps.versions.models import Version, content_sha256
from apps.workspaces.models import Membership

from .forms import MOVES, AskForm, ChangeRequestForm, ThreadForm, move_label, move_need
from .models import (
    REVIEW_ROLES,
    Approval,
    ChangeRequest,
    ReviewRound,
    Thread,
    author_ids,
    body_anchor,
    section_anchor,
    section_choices,
)

TEMPLATE = "reviews/review.html"
PAGE = "decisions/detail.html"
# The decision page's regions that show what a review step can change: its status badge, its
# edit and download links, its open-considerations banner and the link to the panel.
PAGE_REGIONS = ("status", "actions", "banner", "jump")


class ReviewState(NamedTuple):
    """What the decision page asks first, in one plain query: whether a round is open, whether
    anyone commented, and who may be asked to review (the ask form's choices, as text)."""

    round_open: bool
    threads: int
    reviewers: str

    def reviewer_choices(self) -> list[tuple[int, str]]:
        """The ask form's choices, labelled as `AskForm` labels them, from `reviewers`."""
        choices = []
        for who in filter(None, self.reviewers.split(chr(30))):
            pk, username, first, last = who.split(chr(31))
            choices.append((int(pk), f"{first} {last}".strip() or username))
        return choices


# Written by hand, not by the ORM: building its three querysets cost more CPU than the page's
# whole read when there is nothing to read. The reviewers are `forms.reviewer_choices` (members
# in a reviewing role, not the owner), each joined with control characters no name holds.
STATE = """SELECT
    (SELECT COUNT(*) FROM reviews_reviewround WHERE decision_id = %s AND closed_at IS NULL),
    (SELECT COUNT(*) FROM reviews_thread WHERE decision_id = %s),
    (SELECT {join} FROM (
        SELECT CAST(u.id AS TEXT) || {chr}(31) || u.username || {chr}(31) || u.first_name
            || {chr}(31) || u.last_name AS who
        FROM auth_user u JOIN workspaces_membership m ON m.user_id = u.id
        WHERE m.workspace_id = %s AND m.role IN ({roles}) AND u.id <> %s
        ORDER BY u.username, u.id
    ) reviewers)"""


def review_state(decision: Decision) -> ReviewState:
    """The decision's `ReviewState`, in one query."""
    if connection.vendor == "postgresql":
        char, join = "chr", "string_agg(who, chr(30) ORDER BY who)"
    else:
        char, join = "char", "group_concat(who, char(30))"
    roles = list(REVIEW_ROLES)
    # Our own constant text; every value is a parameter.
    sql = STATE.format(chr=char, join=join, roles=", ".join(["%s"] * len(roles)))
    params = [decision.pk, decision.pk, decision.workspace_id, *roles, decision.owner_id or 0]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rounds, threads, reviewers = cursor.fetchone()
    return ReviewState(bool(rounds), threads, reviewers or "")


def panel_context(
    decision: Decision,
    membership: Membership,
    record: Record,
    state: ReviewState | None = None,
    **forms,
) -> dict:
    """Everything the review panel shows to the holder of `membership`, in a fixed number of
    queries. `decision` loaded `with_record()`, `record` its `to_record()`. With the page's
    `state`, what it says is not there (a round, threads) is not asked for."""
    round = None
    if state is None or state.round_open:
        round = (
            ReviewRound.objects.open()
            .filter(decision=decision)
            .prefetch_related(
                "reviewers",
                Prefetch("approvals", queryset=Approval.objects.select_related("reviewer")),
                Prefetch(
                    "change_requests", queryset=ChangeRequest.objects.select_related("reviewer")
                ),
            )
            .first()
        )
    if round is not None:
        round.decision = decision
    sha256 = content_sha256(decision)
    threads = []
    if state is None or state.threads:
        threads = list(Thread.objects.filter(decision=decision).for_panel())
    sections = section_choices(record)
    groups = []
    for key, label in [*sections, *((t.section, t.label) for t in threads)]:
        mine = [t for t in threads if t.section == key]
        if mine and key not in {g["key"] for g in groups}:
            groups.append(
                {"key": key, "label": label, "anchor": section_anchor(key), "threads": mine}
            )
    # Versions and status history change only with the decision's status, which moves its
    # cache key (apps/decisions/cache.py): read once per key.
    versions = cached(
        decision,
        "versions",
        lambda: list(Version.objects.filter(decision=decision).defer("snapshot", "markdown")),
    )
    context = {
        "decision": decision,
        "membership": membership,
        "record": record,
        "round": round,
        "sha256": sha256,
        "groups": groups,
        "open_threads": sum(1 for t in threads if t.is_open),
        "sections": [
            section_threads(key, label, [t for t in threads if t.section == key])
            for key, label in sections
        ],
        "history": cached(
            decision, "history", lambda: list(decision.status_changes.select_related("by"))
        ),
        "versions": versions,
        "next_version": len(versions) + 1,
        "moves": [
            (to, move_label(decision, to, len(versions) + 1))
            for to in MOVES
            if decision.can_move_to(to) and membership.allows(move_need(decision.status, to))
        ],
        # Built when shown: a panel read from the cache (templatetags/reviews.py) shows none.
        "ask_form": forms.get("ask_form")
        or SimpleLazyObject(lambda: _ask_form(decision, round, state)),
        "thread_form": forms.get("thread_form")
        or SimpleLazyObject(lambda: ThreadForm(record=record)),
        "change_form": forms.get("change_form") or SimpleLazyObject(ChangeRequestForm),
        "move_form": forms.get("move_form"),
        "reply_errors": forms.get("reply_errors", {}),
        "error": forms.get("error", ""),
    }
    if round is not None:
        # Who wrote the text, judged once for the three lists (each would ask again).
        authors = author_ids(decision, round)
        context["standing"] = round.standing_approvals(sha256, authors)
        context["stale"] = round.stale_approvals(sha256, authors)
        context["void"] = round.authors_approvals(authors)
        context["open_changes"] = round.open_change_requests()
    return context


def panel_part(decision: Decision, membership: Membership, state: ReviewState) -> str:
    """The render-cache part a panel with no round and no comment is kept under: what it shows
    beyond the render key is the reader's role, the workspace's review settings and, where the
    reader may ask, who may be asked."""
    asks = membership.allows("edit") and decision.status in ("draft", "in_review")
    workspace = decision.workspace
    shows = (
        membership.role,
        workspace.review_months,
        workspace.default_approvals,
        state.reviewers if asks else None,
    )
    return f"panel:{hashlib.sha256(repr(shows).encode()).hexdigest()[:24]}"


def _ask_form(decision: Decision, round: ReviewRound | None, state: ReviewState | None) -> AskForm:
    form = AskForm(decision=decision, round=round)
    if state is not None:
        # Shown, never bound (a submission builds its own): the choices the state query read.
        form.fields["reviewers"].choices = state.reviewer_choices()
    return form


def section_threads(key: str, label: str, threads: list[Thread]) -> dict:
    """One section's threads, as the decision page shows them beside the section's text."""
    return {
        "key": key,
        "label": label,
        "anchor": body_anchor(key),
        "threads": threads,
        "open_count": sum(1 for t in threads if t.is_open),
    }


def panel_for(request: HttpRequest, decision: Decision, membership: Membership, record: Record):
    """The panel's context, computed once per request: the decision page shows it twice (the
    panel, and each section's threads beside its text), and its queries must not double."""
    cached = getattr(request, "_review_panel", None)
    if cached is None or cached[0] != (decision.pk, decision.status):
        state = review_state(decision)
        # What the page reads from the render cache, in one round trip (templatetags/reviews.py).
        edit = int(membership.allows("edit"))
        read_ahead(
            decision,
            ["versions", "history", f"body:{edit}", panel_part(decision, membership, state)],
        )
        panel = panel_context(decision, membership, record, state)
        panel["review_state"] = state
        remember_panel(request, decision, panel)
    return request._review_panel[1]


def remember_panel(request: HttpRequest, decision: Decision, panel: dict) -> None:
    request._review_panel = ((decision.pk, decision.status), panel)


def page_regions(request: HttpRequest, panel: dict, record: Record) -> str:
    """The decision page's other regions a review step changed, as out-of-band swaps.

    Sent with the panel after every step, so the status badge, the links, the banner and each
    section's comments agree with the panel (and the database) without a reload. A page without
    one of these regions (the review page) ignores it.
    """
    context = {**panel, "record": record, "oob": True}
    parts = [render_to_string(f"{PAGE}#{name}", context, request=request) for name in PAGE_REGIONS]
    parts += [
        render_to_string(f"{TEMPLATE}#section", {**context, "s": section}, request=request)
        for section in panel["sections"]
    ]
    return "".join(parts)


def section_regions(request: HttpRequest, panel: dict) -> str:
    """Each section's threads as out-of-band swaps: sent with the polled threads, so comments
    others wrote appear beside the text as they appear in the panel."""
    return "".join(
        render_to_string(f"{TEMPLATE}#section", {**panel, "s": s, "oob": True}, request=request)
        for s in panel["sections"]
    )
