import pytest

from apps.decisions.models import IllegalTransition, StatusChange
from apps.reviews.models import submit_for_review

from ..factories import make_decision, make_user
from ..reviews.helpers import draft


def test_it_records_who_moved_a_draft_to_review(workspace):
    user = make_user("ada")
    decision = draft(workspace, user)
    submit_for_review(decision, by=user)
    decision.refresh_from_db()
    assert decision.status == "in_review"
    change = StatusChange.objects.get(decision=decision)
    assert (change.from_status, change.to_status, change.by) == ("draft", "in_review", user)


def test_it_refuses_to_accept_a_draft(workspace):
    decision = make_decision(workspace)
    with pytest.raises(IllegalTransition, match="from draft to accepted"):
        decision.move_to("accepted")
    decision.refresh_from_db()
    assert decision.status == "draft"
    assert not StatusChange.objects.exists()


def test_it_wants_a_reason_to_reject(workspace):
    decision = make_decision(workspace, status="in_review")
    with pytest.raises(IllegalTransition, match="Say why"):
        decision.move_to("rejected", reason="  ")
    decision.move_to("rejected", reason="Too costly to run.")
    decision.refresh_from_db()
    assert decision.status == "rejected" and decision.decided_on is not None
