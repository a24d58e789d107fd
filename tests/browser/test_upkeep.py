"""Keeping a decision alive in Chromium: a reviewer confirms a due decision from its page."""

import pytest
from playwright.sync_api import expect

from apps.activity.models import AuditEvent
from apps.decisions.models import ConfirmationItem, Decision
from apps.versions.models import Version

from ..factories import make_team, make_workspace
from ..reviews.helpers import accepted
from ..upkeep.helpers import days, decided_by, today
from ..versions.helpers import erase_versions
from .conftest import signed_in

pytestmark = pytest.mark.browser


@pytest.fixture
def due_decision(transactional_db):
    workspace = make_workspace("team")
    people = make_team(workspace, ada="author", rita="reviewer", rob="reviewer")
    decision, _ = accepted(workspace, people["ada"], people["rob"])
    decided_by(decision, "rob")
    Decision.objects.filter(pk=decision.pk).update(review_by=days(-2))
    ConfirmationItem.objects.create(decision=decision, text="Logs reach the SIEM", position=0)
    yield Decision.objects.get(pk=decision.pk)
    erase_versions()


def test_a_reviewer_confirms_a_due_decision_still_valid(page, live_server, due_decision):
    signed_in(page, live_server, "rita")
    page.goto(f"{live_server.url}{due_decision.get_absolute_url()}")
    region = page.locator("#upkeep")
    expect(region.locator("#review-by")).to_contain_text(days(-2).isoformat())
    expect(region.locator("#review-by")).to_contain_text("Overdue")

    region.get_by_label("What you checked").fill("Still on the REST API; costs as planned.")
    region.get_by_role("button", name="Confirm still valid").click()

    moved = due_decision.workspace.next_review(today()).isoformat()
    expect(page.locator("#review-by")).to_contain_text(moved)
    expect(page.locator("#review-by")).not_to_contain_text("Overdue")
    expect(page.locator(".review-events")).to_contain_text(
        "confirmed it still valid, next review " + moved
    )
    # The version stands as it was: no new one, no new text.
    decision = Decision.objects.get(pk=due_decision.pk)
    assert decision.review_by.isoformat() == moved
    assert decision.status == "accepted"
    assert list(Version.objects.filter(decision=decision).values_list("number", flat=True)) == [1]
    event = AuditEvent.objects.get(verb="review_confirmed", decision=decision)
    assert event.actor.username == "rita"
    assert event.data["note"] == "Still on the REST API; costs as planned."
