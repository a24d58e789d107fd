"""The review panel: what the review page and the decision page show of a decision's review."""

from __future__ import annotations

from typing import NamedTuple

from django.db import connection
from django.db.models import Prefetch
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from apps.decisions.cache import cached, read_ahead, shown_digest
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
    """What the decision page asks first, in one plain query: whether a round is open, how many
    threads there are and how many are open, who may be asked to review (the ask form's
    choices, as text), and `stamp`: every row of the review the page shows, summed up, so that
    any review step (a round opened, a reviewer named, an approval, a change request given or
    met, a comment, a thread resolved or reopened, a line written) makes a new one."""

    round_open: bool
    threads: int
    open_threads: int
    reviewers: str
    stamp: str

    @property
    def busy(self) -> bool:
        """A round or a comment: the page shows rows of the review, and whose they are."""
        return self.round_open or bool(self.threads)

    def reviewer_choices(self) -> list[tuple[int, str]]:
        """The ask form's choices, labelled as `AskForm` labels them, from `reviewers`."""
        choices = []
        for who in filter(None, self.reviewers.split(chr(30))):
            pk, username, first, last = who.split(chr(31))
            choices.append((int(pk), f"{first} {last}".strip() or username))
        return choices


# Written by hand, not by the ORM: building its querysets cost more CPU than the page's whole
# read when there is nothing to read. The reviewers are `forms.reviewer_choices` (members in a
# reviewing role, not the owner), each joined with control characters no name holds.
# The stamp's parts: rows are only ever added to a review (rounds, reviewers, approvals, change
# requests, threads, comments), so their count and newest id say which ones there are; what
# changes in place says so itself (a change request met, a thread resolved or reopened and by
# whom, the approvals a round needs, a contribution's time). The members' names are in it too,
# and those of everyone the review names (commenters, resolvers, approvers, people who asked for
# changes, reviewers), members or not: someone who left keeps their comments, and may be renamed.
STATE = """SELECT
    (SELECT COUNT(*) FROM reviews_reviewround WHERE decision_id = %s AND closed_at IS NULL),
    (SELECT COUNT(*) FROM reviews_thread WHERE decision_id = %s),
    (SELECT COUNT(*) FROM reviews_thread WHERE decision_id = %s AND resolved_at IS NULL),
    (SELECT {join} FROM (
        SELECT CAST(u.id AS TEXT) || {chr}(31) || u.username || {chr}(31) || u.first_name
            || {chr}(31) || u.last_name AS who
        FROM auth_user u JOIN workspaces_membership m ON m.user_id = u.id
        WHERE m.workspace_id = %s AND m.role IN ({roles}) AND u.id <> %s
        ORDER BY u.username, u.id
    ) reviewers)"""
# Asked only of a decision with a round or a comment: its dozen subqueries cost PostgreSQL more
# to plan than the rest of the page's queries together.
STAMP = """SELECT
    (SELECT {join} FROM (
        SELECT CAST(u.id AS TEXT) || {chr}(31) || u.username || {chr}(31) || u.first_name
            || {chr}(31) || u.last_name || {chr}(31) || m.role AS who
        FROM auth_user u JOIN workspaces_membership m ON m.user_id = u.id
        WHERE m.workspace_id = %s
    ) members),
    (SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(MAX(id), 0) AS TEXT) || ':'
        || CAST(COALESCE(SUM(approvals_needed), 0) AS TEXT) || ':'
        || CAST(COUNT(closed_at) AS TEXT)
        FROM reviews_reviewround WHERE decision_id = %s),
    (SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(MAX(x.user_id), 0) AS TEXT)
        FROM {reviewers} x JOIN reviews_reviewround r ON r.id = x.reviewround_id
        WHERE r.decision_id = %s),
    (SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(MAX(a.id), 0) AS TEXT)
        FROM reviews_approval a JOIN reviews_reviewround r ON r.id = a.round_id
        WHERE r.decision_id = %s),
    (SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(MAX(c.id), 0) AS TEXT) || ':'
        || CAST(COUNT(c.resolved_at) AS TEXT)
        FROM reviews_changerequest c JOIN reviews_reviewround r ON r.id = c.round_id
        WHERE r.decision_id = %s),
    (SELECT {join} FROM (
        SELECT CAST(t.id AS TEXT) || ':' || CAST(t.resolved_at AS TEXT) || ':'
            || CAST(COALESCE(t.resolved_by_id, 0) AS TEXT) AS who
        FROM reviews_thread t WHERE t.decision_id = %s AND t.resolved_at IS NOT NULL
    ) resolved),
    (SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(MAX(c.id), 0) AS TEXT)
        FROM reviews_comment c JOIN reviews_thread t ON t.id = c.thread_id
        WHERE t.decision_id = %s),
    (SELECT CAST(COUNT(*) AS TEXT) || ':' || COALESCE(CAST(MAX(at) AS TEXT), '')
        FROM reviews_contribution WHERE decision_id = %s AND version_id IS NULL),
    (SELECT {join} FROM (
        SELECT CAST(u.id AS TEXT) || {chr}(31) || u.username || {chr}(31) || u.first_name
            || {chr}(31) || u.last_name AS who
        FROM auth_user u WHERE u.id IN (
            SELECT c.author_id FROM reviews_comment c
            JOIN reviews_thread t ON t.id = c.thread_id WHERE t.decision_id = %s
            UNION SELECT t.resolved_by_id FROM reviews_thread t WHERE t.decision_id = %s
            UNION SELECT a.reviewer_id FROM reviews_approval a
            JOIN reviews_reviewround r ON r.id = a.round_id WHERE r.decision_id = %s
            UNION SELECT c.reviewer_id FROM reviews_changerequest c
            JOIN reviews_reviewround r ON r.id = c.round_id WHERE r.decision_id = %s
            UNION SELECT x.user_id FROM {reviewers} x
            JOIN reviews_reviewround r ON r.id = x.reviewround_id WHERE r.decision_id = %s)
    ) named)"""
_state_sql: dict[str, tuple[str, str]] = {}


def _state_queries() -> tuple[str, str]:
    """STATE and STAMP for this database, formatted once per process."""
    if connection.vendor not in _state_sql:
        if connection.vendor == "postgresql":
            char, join = "chr", "string_agg(who, chr(30) ORDER BY who)"
        else:
            char, join = "char", "group_concat(who, char(30))"
        roles = ", ".join(["%s"] * len(REVIEW_ROLES))
        table = ReviewRound.reviewers.through._meta.db_table
        # Our own constant text; every value is a parameter.
        _state_sql[connection.vendor] = (
            STATE.format(chr=char, join=join, roles=roles),
            STAMP.format(chr=char, join=join, reviewers=table),
        )
    return _state_sql[connection.vendor]


def review_state(decision: Decision) -> ReviewState:
    """The decision's `ReviewState`: one query, and one more once it has a round or a comment."""
    pk = decision.pk
    state, stamp = _state_queries()
    with connection.cursor() as cursor:
        cursor.execute(
            state, [pk, pk, pk, decision.workspace_id, *REVIEW_ROLES, decision.owner_id or 0]
        )
        rounds, threads, open_threads, reviewers = cursor.fetchone()
        summed = ""
        if rounds or threads:
            cursor.execute(stamp, [decision.workspace_id, *[pk] * 12])
            # SQLite's group_concat keeps no order: the same rows in another order are the same.
            parts = [",".join(sorted((part or "").split(chr(30)))) for part in cursor.fetchone()]
            summed = shown_digest(parts, 24)
    return ReviewState(bool(rounds), threads, open_threads, reviewers or "", summed)


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


def panel_part(decision: Decision, membership: Membership, state: ReviewState, reader: int) -> str:
    """The render-cache part the decision page's panel is kept under: what it shows beyond the
    render key is the reader's role, the workspace's review settings and, where the reader may
    ask, who may be asked; with a round or a comment, the review's rows (`state.stamp`) and who
    reads them (a reader's own change requests and comments give them forms of their own)."""
    asks = membership.allows("edit") and decision.status in ("draft", "in_review")
    workspace = decision.workspace
    shows = (
        membership.role,
        workspace.review_months,
        workspace.default_approvals,
        state.reviewers if asks else None,
        (state.stamp, reader) if state.busy else None,
    )
    return f"panel:{shown_digest(shows, 24)}"


def body_part(membership: Membership, state: ReviewState, reader: int) -> str:
    """The render-cache part of the page text with each section's comments: whether the reader
    may comment and, once anyone did, the review's rows and who reads them (as `panel_part`)."""
    shows = (membership.allows("edit"), (state.stamp, reader) if state.threads else None)
    return f"body:{shown_digest(shows, 24)}"


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


def region_part(decision: Decision, membership: Membership, panel: dict) -> str:
    """The render-cache part of the decision page's whole main region: the panel's and the
    text's parts, the workspace's name and review period, and today's date (the upkeep panel
    says whether a review date or an item is overdue)."""
    workspace = decision.workspace
    shows = (
        panel["panel_part"],
        panel["body_part"],
        membership.role,
        workspace.name,
        workspace.review_months,
        timezone.localdate().isoformat(),
    )
    return f"region:{shown_digest(shows, 24)}"


def panel_for(request: HttpRequest, decision: Decision, membership: Membership, record: Record):
    """What the decision page knows of the review before rendering any of it, once per request:
    its `ReviewState` and the cache parts it keys. The full context (`full_panel`) is read only
    where a part is not in the cache. A review view's fresh panel (`remember_panel`) is used
    as it is."""
    cached = getattr(request, "_review_panel", None)
    if cached is None or cached[0] != (decision.pk, decision.status):
        state = review_state(decision)
        reader = request.user.pk
        panel = {
            "decision": decision,
            "membership": membership,
            "record": record,
            "review_state": state,
            "open_threads": state.open_threads,
            "panel_part": panel_part(decision, membership, state, reader),
            "body_part": body_part(membership, state, reader),
        }
        panel["region_part"] = region_part(decision, membership, panel)
        # The page's main region, whole (templatetags/reviews.py `page_region`): on a hit, it is
        # all the page reads from the render cache.
        read_ahead(decision, [panel["region_part"]])
        remember_panel(request, decision, panel)
    return request._review_panel[1]


def full_panel(panel: dict) -> dict:
    """`panel_context` for the page's `panel`, read once, when a part of it was not cached."""
    if "sections" not in panel:
        state = panel["review_state"]
        panel.update(panel_context(panel["decision"], panel["membership"], panel["record"], state))
        panel["review_state"] = state
    return panel


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
