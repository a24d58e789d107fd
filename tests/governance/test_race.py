"""An approval and a rejection sent at once (issue 13, item 3).

Each round is a fresh decision in review that one approval accepts; one reviewer approves while
another rejects it, released together on their own connections as two requests would be. Every
round must end one way only: accepted with one frozen version and no rejection, or rejected with
no version, and exactly one move out of review in its history. Runs on the suite's database,
SQLite or PostgreSQL (CI runs both). Not wrapped in a test transaction: each thread commits.
"""

import pytest

from apps.decisions.models import Decision, IllegalTransition
from apps.reviews.models import MoveConflict, ReviewError, ReviewRound, move_by_hand
from apps.versions.models import Version

from ..factories import make_team, make_workspace
from ..reviews.helpers import in_review, open_round
from ..threads import at_once
from ..versions.helpers import erase_versions

ROUNDS = 20


@pytest.fixture
def team(transactional_db):
    workspace = make_workspace("team")
    yield workspace, make_team(workspace, ada="author", rita="reviewer", rob="reviewer")
    erase_versions()


def race(decision, approver, mover, to: str) -> list[BaseException]:
    round = open_round(decision)
    return at_once(
        [
            lambda: round.approve(approver),
            lambda: move_by_hand(decision, to, mover, "Not this way.", seen="in_review"),
        ]
    )


def outcome(decision) -> tuple[str, int, list[str]]:
    decision = Decision.objects.get(pk=decision.pk)
    moves_out = list(
        decision.status_changes.filter(from_status="in_review").values_list("to_status", flat=True)
    )
    return decision.status, Version.objects.filter(decision=decision).count(), moves_out


@pytest.mark.django_db(transaction=True)
def test_it_ends_each_round_one_way_when_approval_and_rejection_race(team):
    workspace, people = team
    ends = []
    for i in range(ROUNDS):
        decision = in_review(workspace, people["ada"], [people["rita"], people["rob"]], 1)
        errors = race(decision, people["rita"], people["rob"], "rejected")
        # The loser is told, never half-applied: a review error or a refused move, nothing else.
        assert all(isinstance(e, (ReviewError, IllegalTransition)) for e in errors), errors
        assert len(errors) == 1, f"round {i}: both moves went through"
        status, versions, moves_out = outcome(decision)
        assert (status, versions, moves_out) in [
            ("accepted", 1, ["accepted"]),
            ("rejected", 0, ["rejected"]),
        ], f"round {i}"
        assert ReviewRound.objects.get(decision=decision).outcome == status
        ends.append(status)
    # Shown with -s: how the rounds ended (both ways occur; each one is consistent).
    print(f"{ends.count('accepted')} accepted, {ends.count('rejected')} rejected of {ROUNDS}")


@pytest.mark.django_db(transaction=True)
def test_it_never_reopens_what_an_approval_accepted_meanwhile(team):
    """ "Back to draft" clicked on a decision in review must not become "reopen" after an accept."""
    workspace, people = team
    for i in range(ROUNDS // 2):
        decision = in_review(workspace, people["ada"], [people["rita"]], 1)
        errors = race(decision, people["rita"], people["ada"], "draft")
        assert all(isinstance(e, (ReviewError, MoveConflict)) for e in errors), errors
        status, versions, moves_out = outcome(decision)
        assert (status, versions, moves_out) in [
            ("accepted", 1, ["accepted"]),
            ("draft", 0, ["draft"]),
        ], f"round {i}"
        assert not decision.status_changes.filter(from_status="accepted").exists()


def test_it_answers_a_move_that_lost_with_409(client, people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 1)
    open_round(decision).approve(people["rita"])
    client.force_login(people["rob"])
    url = f"/w/{decision.workspace.slug}/{decision.number}/status/"
    answer = client.post(url, {"to": "rejected", "reason": "No.", "seen": "in_review"})
    assert answer.status_code == 409
    assert b"is accepted now: someone moved it" in answer.content
    decision.refresh_from_db()
    assert decision.status == "accepted"
    assert not decision.status_changes.filter(to_status="rejected").exists()
