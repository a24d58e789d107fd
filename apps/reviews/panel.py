"""The review panel: what the review page and the decision page show of a decision's review."""

from __future__ import annotations

from django.db.models import Prefetch

from apps.decisions.models import Decision, Status
from apps.formats.record import Record
from apps.versions.models import Version, content_sha256
from apps.workspaces.models import Membership

from .forms import MOVES, AskForm, ChangeRequestForm, ThreadForm
from .models import Approval, ChangeRequest, ReviewRound, Thread, section_anchor, section_choices

TEMPLATE = "reviews/review.html"


def panel_context(decision: Decision, membership: Membership, record: Record, **forms) -> dict:
    """Everything the review panel shows to the holder of `membership`, in a fixed number of
    queries. `decision` loaded `with_record()`, `record` its `to_record()`."""
    round = (
        ReviewRound.objects.open()
        .filter(decision=decision)
        .prefetch_related(
            "reviewers",
            Prefetch("approvals", queryset=Approval.objects.select_related("reviewer")),
            Prefetch("change_requests", queryset=ChangeRequest.objects.select_related("reviewer")),
        )
        .first()
    )
    if round is not None:
        round.decision = decision
    sha256 = content_sha256(decision)
    threads = list(Thread.objects.filter(decision=decision).for_panel())
    groups = []
    for key, label in [*section_choices(record), *((t.section, t.label) for t in threads)]:
        mine = [t for t in threads if t.section == key]
        if mine and key not in {g["key"] for g in groups}:
            groups.append(
                {"key": key, "label": label, "anchor": section_anchor(key), "threads": mine}
            )
    versions = list(Version.objects.filter(decision=decision).defer("snapshot", "markdown"))
    context = {
        "decision": decision,
        "membership": membership,
        "round": round,
        "sha256": sha256,
        "groups": groups,
        "open_threads": sum(1 for t in threads if t.is_open),
        "history": list(decision.status_changes.select_related("by")),
        "versions": versions,
        "next_version": len(versions) + 1,
        "moves": [
            (to, Status(to).label)
            for to, need in MOVES.items()
            if decision.can_move_to(to) and membership.allows(need)
        ],
        "ask_form": forms.get("ask_form") or AskForm(decision=decision),
        "thread_form": forms.get("thread_form") or ThreadForm(record=record),
        "change_form": forms.get("change_form") or ChangeRequestForm(),
        "move_form": forms.get("move_form"),
        "reply_errors": forms.get("reply_errors", {}),
        "error": forms.get("error", ""),
    }
    if round is not None:
        context["standing"] = round.standing_approvals(sha256)
        context["stale"] = round.stale_approvals(sha256)
        context["void"] = round.authors_approvals()
        context["open_changes"] = round.open_change_requests()
    return context
