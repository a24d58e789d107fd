"""Small explicit data for the upkeep tests: accepted decisions with dates and checks."""

from __future__ import annotations

import datetime

from django.utils import timezone

from apps.decisions.models import ConfirmationItem, Decision, Participant

from ..factories import make_decision


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def live(workspace, title: str = "Use PostgreSQL", review_in: int | None = 100, **fields):
    """An accepted decision whose review is due in `review_in` days (None: no date)."""
    fields.setdefault("status", "accepted")
    review_by = days(review_in) if review_in is not None else None
    return make_decision(workspace, title=title, review_by=review_by, **fields)


def decided_by(decision: Decision, *names: str) -> None:
    for i, name in enumerate(names):
        Participant.objects.create(decision=decision, role="decision_maker", name=name, position=i)


def check(decision: Decision, text: str = "Logs reach the SIEM", **fields) -> ConfirmationItem:
    fields.setdefault("position", decision.confirmation_items.count())
    return ConfirmationItem.objects.create(decision=decision, text=text, **fields)
