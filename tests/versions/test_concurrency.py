"""Many reviewers approving and commenting at once: right counts and exactly one version.

Not wrapped in a test transaction: each thread commits through its own connection, as requests
do. On PostgreSQL the decision row lock queues the approvals; on SQLite the database write lock
does (see apps/reviews/models.py:lock_decision). The same invariants hold on both.
"""

import pytest

from apps.reviews.models import Approval, Comment, ReviewError, Thread
from apps.versions.models import Version

from ..factories import make_team, make_workspace
from ..reviews.helpers import in_review, open_round
from ..threads import at_once
from .helpers import erase_versions

REVIEWERS = 6


@pytest.fixture
def crowd(transactional_db):
    workspace = make_workspace("team")
    people = make_team(
        workspace, ada="author", **{f"reviewer{i}": "reviewer" for i in range(REVIEWERS)}
    )
    ada = people.pop("ada")
    reviewers = list(people.values())
    decision = in_review(workspace, ada, reviewers, needed=3)
    thread = Thread.start(decision, "context", ada, "Please look at the context.")
    yield decision, reviewers, thread
    erase_versions()


@pytest.mark.django_db(transaction=True)
def test_it_freezes_exactly_one_version_under_concurrent_approvals(crowd):
    decision, reviewers, thread = crowd
    round = open_round(decision)
    actions = []
    for user in reviewers:
        actions.append(lambda user=user: round.approve(user))
        actions.append(lambda user=user: round.approve(user))  # a double click
        actions.append(lambda user=user: thread.reply(user, f"Looks fine to {user.username}."))
    errors = at_once(actions)
    # Approvals arriving after the acceptance are refused cleanly; nothing else may fail.
    assert all(isinstance(e, ReviewError) for e in errors), errors
    decision.refresh_from_db()
    assert decision.status == "accepted"
    assert Version.objects.filter(decision=decision).count() == 1
    version = Version.objects.get(decision=decision)
    assert version.number == 1 and len(version.approvals) == 3
    # The third distinct approval accepted; later ones found the review closed.
    approvals = Approval.objects.filter(round=round)
    assert approvals.count() == 3
    assert approvals.values("reviewer").distinct().count() == 3
    assert approvals.filter(version=version).count() == 3
    assert Comment.objects.filter(thread=thread).count() == 1 + REVIEWERS
    assert decision.status_changes.filter(to_status="accepted").count() == 1
