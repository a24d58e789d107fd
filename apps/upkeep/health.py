"""A workspace's health: what needs looking at, counted and listed, for the page and the API.

Each figure is one count query and one list query (at most `LIMIT` rows), whatever the size of
the workspace. "Accepted" here means accepted in Adroit or accepted elsewhere (imported as
accepted): both are decisions the team lives by.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from apps.decisions.models import (
    LONG_TEXT,
    ConfirmationItem,
    ConfirmationState,
    Consideration,
    Decision,
    Relation,
    RelationKind,
    Status,
)
from apps.workspaces.models import Workspace

LIVE = (Status.ACCEPTED, Status.ELSEWHERE)
DRAFTING = (Status.DRAFT, Status.IN_REVIEW)
IDLE_DAYS = 30
LIMIT = 50


@dataclass
class Row:
    decision: Decision
    detail: str = ""


@dataclass
class Figure:
    key: str
    label: str
    explanation: str
    count: int
    rows: list[Row] = field(default_factory=list)
    shown: int | None = None  # how many of `count` the rows show, when not one row each

    @property
    def more(self) -> int:
        """How many are counted but not listed (lists stop at LIMIT)."""
        return max(self.count - (len(self.rows) if self.shown is None else self.shown), 0)


def _decisions(workspace: Workspace):
    return (
        Decision.objects.filter(workspace=workspace).defer(*LONG_TEXT).select_related("workspace")
    )


def health(workspace: Workspace, today: datetime.date | None = None) -> list[Figure]:
    today = today or timezone.localdate()
    idle_since = timezone.now() - datetime.timedelta(days=IDLE_DAYS)
    figures = []

    overdue = _decisions(workspace).filter(status__in=LIVE, review_by__lt=today)
    figures.append(
        Figure(
            "overdue_reviews",
            "Overdue reviews",
            "Accepted decisions whose review date has passed.",
            overdue.count(),
            [
                Row(d, f"review by {d.review_by.isoformat()}")
                for d in overdue.order_by("review_by", "number")[:LIMIT]
            ],
        )
    )

    failed = ConfirmationItem.objects.filter(
        decision__workspace=workspace,
        decision__status__in=LIVE,
        state=ConfirmationState.FAILED,
    )
    figures.append(
        Figure(
            "failed_confirmations",
            "Failed confirmations",
            "Confirmation checks of accepted decisions that failed.",
            failed.count(),
            [
                Row(i.decision, f"{i.text}{': ' + i.note if i.note else ''}")
                for i in failed.select_related("decision__workspace")
                .defer(*(f"decision__{name}" for name in LONG_TEXT))
                .order_by("decision__number", "position", "id")[:LIMIT]
            ],
        )
    )

    considerations = Consideration.objects.filter(
        decision__workspace=workspace, decision__status__in=LIVE, is_open=True
    )
    figures.append(
        Figure(
            "open_considerations",
            "Open considerations on accepted decisions",
            "Concerns still marked open although the decision was accepted.",
            considerations.count(),
            [
                Row(c.decision, c.title)
                for c in considerations.select_related("decision__workspace")
                .defer("body", *(f"decision__{name}" for name in LONG_TEXT))
                .order_by("decision__number", "position", "id")[:LIMIT]
            ],
        )
    )

    idle = _decisions(workspace).filter(status=Status.DRAFT, updated_at__lt=idle_since)
    figures.append(
        Figure(
            "idle_drafts",
            f"Drafts idle for more than {IDLE_DAYS} days",
            "Drafts nobody has changed for a month.",
            idle.count(),
            [
                Row(d, f"last changed {d.updated_at:%Y-%m-%d}")
                for d in idle.order_by("updated_at", "number")[:LIMIT]
            ],
        )
    )

    superseding = Relation.objects.filter(
        kind=RelationKind.SUPERSEDES,
        source__workspace=workspace,
        source__status__in=DRAFTING,
    )
    targets = _decisions(workspace).filter(pk__in=superseding.values("target"))
    rows = []
    for relation in (
        superseding.filter(target__in=targets.order_by("number")[:LIMIT].values("pk"))
        .select_related("target__workspace", "source")
        .defer(*(f"target__{n}" for n in LONG_TEXT), *(f"source__{n}" for n in LONG_TEXT))
        .order_by("target__number", "source__number")
    ):
        rows.append(Row(relation.target, f"superseded by draft {relation.source.ref}"))
    figures.append(
        Figure(
            "superseded_by_draft",
            "Decisions a draft will supersede",
            "Decisions that a draft (or a decision in review) says it supersedes.",
            targets.count(),
            rows,
            shown=len({r.decision.pk for r in rows}),
        )
    )
    return figures


def counts(workspace: Workspace, today: datetime.date | None = None) -> dict[str, int]:
    return {f.key: f.count for f in health(workspace, today)}
