"""`load_example` takes its accepted decisions through review, as `make run` shows them."""

from __future__ import annotations

import pytest

from apps.activity.models import AuditEvent
from apps.decisions.models import Decision, StatusChange
from apps.reviews.models import Approval, ReviewRound
from apps.versions.models import content_sha256


@pytest.fixture
def example(db, example_once):
    """The example, loaded once for the module: each test here leaves it as it found it."""
    return example_once


def test_it_freezes_version_1_of_each_accepted_decision_with_its_approvals(example):
    accepted = Decision.objects.filter(workspace=example, status="accepted").order_by("number")

    assert [d.number for d in accepted] == [1, 4]
    for decision in accepted:
        version = decision.versions.get()
        assert version.number == 1
        assert version.approvals and all(a["sha256"] == version.sha256 for a in version.approvals)
        approvers = {a["reviewer"] for a in version.approvals}
        assert decision.owner.username not in approvers  # four eyes: never the owner's own
        assert Approval.objects.filter(version=version).count() == len(version.approvals)
        assert version.snapshot["title"] == decision.title


def test_it_supersedes_the_older_decision_by_accepting_the_newer(example):
    older = Decision.objects.get(workspace=example, number=2)

    assert older.status == "superseded" and older.versions.get().number == 1
    change = StatusChange.objects.filter(decision=older).latest("at")
    assert (change.from_status, change.to_status) == ("accepted", "superseded")
    assert "ADR-0004" in change.reason


def test_it_keeps_the_dates_and_closes_the_reviews_it_went_through(example):
    first = Decision.objects.get(workspace=example, number=1)

    assert first.decided_on.isoformat() == "2025-01-13"
    assert not ReviewRound.objects.open().filter(decision__number__in=[1, 2, 4]).exists()
    assert AuditEvent.objects.filter(verb="version_frozen").count() == 3
    # What was frozen is what the decision says now: its approvals are not stale.
    assert first.versions.get().approvals[0]["content_sha256"] == content_sha256(
        Decision.objects.with_record().get(pk=first.pk)
    )
