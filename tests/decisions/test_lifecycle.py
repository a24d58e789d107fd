import pytest

from apps.decisions.models import Decision, IllegalTransition, Status, StatusChange
from apps.reviews.models import submit_for_review

from ..factories import make_decision, make_user
from ..reviews.helpers import draft, in_review, open_round


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


def test_it_judges_a_move_by_the_status_stored_now_not_a_stale_read(workspace, people):
    decision = in_review(workspace, people["ada"], [people["rita"]], needed=1)
    stale = Decision.objects.get(pk=decision.pk)  # read while still in review
    open_round(decision).approve(people["rita"])  # accepted meanwhile, version 1 frozen

    with pytest.raises(IllegalTransition, match="cannot go from accepted to rejected"):
        stale.move_to(Status.REJECTED, by=people["adam"], reason="Too late")

    decision.refresh_from_db()
    assert decision.status == Status.ACCEPTED
    assert not decision.status_changes.filter(to_status=Status.REJECTED).exists()
