"""Small explicit data for review and version tests."""

from __future__ import annotations

from apps.decisions.models import Decision, Scenario, ScenarioPoint
from apps.reviews.models import ReviewRound, submit_for_review
from apps.versions.models import Version

from ..factories import make_decision


def draft(workspace, owner, title: str = "Choose an API style") -> Decision:
    """A complete draft: nothing required is missing, so it may go to review."""
    decision = make_decision(workspace, title=title, owner=owner, context="We expose an API.")
    rest = Scenario.objects.create(decision=decision, title="REST API", position=0)
    http = Scenario.objects.create(decision=decision, title="HTTP API", position=1)
    ScenarioPoint.objects.create(scenario=rest, kind="good", text="caching is built in")
    ScenarioPoint.objects.create(scenario=rest, kind="bad", text="it costs more per call")
    ScenarioPoint.objects.create(scenario=http, kind="good", text="it is cheaper")
    ScenarioPoint.objects.create(scenario=http, kind="bad", text="it has no usage plans")
    Decision.objects.filter(pk=decision.pk).update(chosen=rest)
    decision.refresh_from_db()
    return decision


def in_review(workspace, owner, reviewers, needed: int = 1, **kwargs) -> Decision:
    decision = draft(workspace, owner, **kwargs)
    submit_for_review(decision, by=owner, reviewers=reviewers, approvals_needed=needed)
    return decision


def open_round(decision: Decision) -> ReviewRound:
    return ReviewRound.objects.open().get(decision=decision)


def accepted(workspace, owner, reviewer, **kwargs) -> tuple[Decision, Version]:
    decision = in_review(workspace, owner, [reviewer], **kwargs)
    open_round(decision).approve(reviewer)
    decision.refresh_from_db()
    return decision, decision.versions.get()
