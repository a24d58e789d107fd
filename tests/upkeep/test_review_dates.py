"""Review dates: set as a decision is accepted, moved on by "Confirm still valid"."""

from __future__ import annotations

import datetime

import pytest

from apps.activity.models import AuditEvent
from apps.decisions.models import Decision, IllegalTransition, ReviewEvent
from apps.reviews.models import ReviewError
from apps.versions.models import Version
from apps.workspaces.models import Workspace

from ..reviews.helpers import accepted, in_review, open_round
from .helpers import days, today

pytestmark = pytest.mark.django_db


def test_it_sets_the_review_date_from_the_workspace_period_on_accepting(people):
    workspace = people["workspace"]
    Workspace.objects.filter(pk=workspace.pk).update(review_months=6)
    workspace.refresh_from_db()

    decision, version = accepted(workspace, people["ada"], people["rita"])

    assert decision.review_by == workspace.next_review(today())
    assert (decision.review_by - today()).days in range(180, 185)
    # The frozen version says it too: its front matter carries `review-by`.
    assert f"review-by: '{decision.review_by.isoformat()}'" in version.markdown


def test_it_defaults_to_twelve_months():
    workspace = Workspace(review_months=12)

    assert workspace.next_review(datetime.date(2026, 12, 2)) == datetime.date(2027, 12, 2)
    assert workspace.next_review(datetime.date(2027, 1, 31)) == datetime.date(2028, 1, 31)
    assert Workspace(review_months=1).next_review(datetime.date(2027, 1, 31)) == datetime.date(
        2027, 2, 28
    )


def test_it_takes_the_earliest_date_the_approvers_chose(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    round = open_round(decision)

    round.approve(people["rita"], review_by=days(90))
    round.approve(people["rob"], review_by=days(60))

    decision.refresh_from_db()
    assert decision.status == "accepted"
    assert decision.review_by == days(60)


def test_it_refuses_an_approvers_review_date_in_the_past(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])

    with pytest.raises(ReviewError, match="after today"):
        open_round(decision).approve(people["rita"], review_by=today())

    assert not open_round(decision).approvals.exists()


def test_it_clears_the_review_date_when_the_decision_is_reopened(people):
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])

    decision.move_to("draft", by=people["ada"], reason="Revisit")

    decision.refresh_from_db()
    assert decision.review_by is None


def test_confirming_still_valid_moves_the_date_on_without_a_new_version(people):
    decision, version = accepted(people["workspace"], people["ada"], people["rita"])
    Decision.objects.filter(pk=decision.pk).update(review_by=days(-3))
    decision.refresh_from_db()
    revision = decision.revision

    event = decision.confirm_still_valid(people["rob"], "Still on PostgreSQL 16.")

    decision.refresh_from_db()
    assert decision.review_by == people["workspace"].next_review(today())
    assert decision.status == "accepted" and decision.revision == revision
    assert list(Version.objects.filter(decision=decision)) == [version]
    assert (event.by, event.note, event.review_by_before) == (
        people["rob"],
        "Still on PostgreSQL 16.",
        days(-3),
    )
    audit = AuditEvent.objects.get(verb="review_confirmed", decision=decision)
    assert audit.actor == people["rob"]
    assert audit.data["review_by"] == decision.review_by.isoformat()


def test_confirming_still_valid_takes_a_chosen_date(people):
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])

    decision.confirm_still_valid(people["rob"], until=days(45))

    decision.refresh_from_db()
    assert decision.review_by == days(45)


def test_confirming_still_valid_refuses_a_draft(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])

    with pytest.raises(IllegalTransition, match="only an accepted decision"):
        decision.confirm_still_valid(people["rob"])

    assert not ReviewEvent.objects.exists()
