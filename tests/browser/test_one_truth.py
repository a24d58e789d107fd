"""One truth on the decision page: after every review step taken through htmx, the status badge,
the panel and the links agree with the database, without a reload."""

import pytest
from playwright.sync_api import expect

from apps.decisions.models import Decision

from ..factories import make_team, make_workspace
from ..reviews.helpers import draft
from ..versions.helpers import erase_versions
from .conftest import signed_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_team(transactional_db):
    workspace = make_workspace("team")
    people = make_team(workspace, ada="author", rita="reviewer", adam="admin")
    people["decision"] = draft(workspace, people["ada"])
    yield people
    erase_versions()


@pytest.fixture
def contexts(browser):
    opened = []
    yield opened
    for context in opened:  # before the test database goes: the pages poll
        context.close()


def open_as(contexts, browser, live_server, username, address):
    contexts.append(browser.new_context())
    page = contexts[-1].new_page()
    page.set_default_timeout(15_000)
    signed_in(page, live_server, username)
    page.goto(address)
    # A marker that a reload would wipe: every check below runs on this one page load.
    page.evaluate("window.__loaded_once = true")
    return page


def agrees(page, decision: Decision, panel_says: str) -> None:
    """The badge shows the stored status, the panel says what that status offers, no reload."""
    expect(page.locator("#review-panel")).to_contain_text(panel_says)  # the step's answer came
    stored = Decision.objects.get(pk=decision.pk)
    expect(page.locator("#decision-status")).to_have_text(stored.get_status_display())
    expect(page.locator("#decision-status")).to_have_class(f"status status-{stored.status}")
    edit = page.locator("#decision-actions a:has-text('Edit')")
    expect(edit).to_have_count(1 if stored.status == "draft" else 0)
    assert page.evaluate("window.__loaded_once") is True


def reload(page) -> None:
    """Another person's step shows on a page at its next load (or its next step)."""
    page.reload()
    page.evaluate("window.__loaded_once = true")


def move(page, to: str, reason: str = "") -> None:
    page.fill("#move-reason", reason)
    page.click(f"#move-{to}")


def test_it_keeps_badge_panel_and_database_in_agreement(browser, contexts, live_server, live_team):
    decision = live_team["decision"]
    address = f"{live_server.url}{decision.get_absolute_url()}"
    ada = open_as(contexts, browser, live_server, "ada", address)
    rita = open_as(contexts, browser, live_server, "rita", address)
    adam = open_as(contexts, browser, live_server, "adam", address)

    # Withdraw the draft, then bring it back.
    move(ada, "rejected", "Not now.")
    agrees(ada, decision, "This draft was withdrawn: Not now.")
    move(ada, "draft")
    agrees(ada, decision, "Submit for review")

    # Submit: in review.
    ada.locator("#review-panel").get_by_label("rita").check()
    ada.click("#submit-review")
    agrees(ada, decision, "0 of 1 approval")

    # Rita's page still shows the draft: her "Withdraw draft" is refused, and her page catches up.
    move(rita, "rejected", "Stale click.")
    agrees(rita, decision, "someone moved it while you were looking")
    expect(rita.locator("#approve")).to_be_visible()
    # Request changes.
    rita.fill("#id_note", "Name the *costs*.")
    rita.click("#request-changes")
    agrees(rita, decision, "rita asks for changes")

    # The approval that accepts: the header says Accepted at once.
    rita.click("#approve")
    agrees(rita, decision, "v1")
    expect(rita.locator("#decision-status")).to_have_text("Accepted")

    # Reopen as the draft of v2 (Ada's page still says In review: refused, then right).
    ada.click("#move-draft")
    agrees(ada, decision, "someone moved it while you were looking")
    expect(ada.locator("#move-draft")).to_have_text("Reopen as draft of v2")
    ada.click("#move-draft")
    agrees(ada, decision, "Draft of version 2")

    # Submit again, and Rita rejects.
    ada.locator("#review-panel").get_by_label("rita").check()
    ada.click("#submit-review")
    agrees(ada, decision, "0 of 1 approval")
    reload(rita)
    move(rita, "rejected", "Too costly.")
    agrees(rita, decision, "In review → Rejected")
    assert Decision.objects.get(pk=decision.pk).status == "rejected"

    # Back to draft (Ada's page, read before the rejection, catches up first), in review,
    # accepted again as v2, then deprecated by the admin.
    move(ada, "draft")
    agrees(ada, decision, "rejected now: someone moved it")
    move(ada, "draft")
    agrees(ada, decision, "Draft of version 2")
    ada.locator("#review-panel").get_by_label("rita").check()
    ada.click("#submit-review")
    agrees(ada, decision, "0 of 1 approval")
    reload(rita)
    rita.click("#approve")
    agrees(rita, decision, "v2")
    reload(adam)
    move(adam, "deprecated", "Replaced by managed gateways.")
    agrees(adam, decision, "Deprecated")
    expect(adam.locator("#review-panel #history")).to_contain_text("Accepted → Deprecated")


def test_it_comments_beside_a_section_and_keeps_it_open(browser, contexts, live_server, live_team):
    decision = live_team["decision"]
    address = f"{live_server.url}{decision.get_absolute_url()}"
    ada = open_as(contexts, browser, live_server, "ada", address)
    rita = open_as(contexts, browser, live_server, "rita", address)
    section = ada.locator("#threads-section-scenario-rest-api")

    section.locator("summary").click()
    section.get_by_label("New comment on Scenario: REST API").fill("What about **gRPC**?")
    section.locator("button:has-text('Comment')").click()

    # Beside the text, in the panel and in the link at the top: one open comment.
    expect(section.locator("summary")).to_contain_text("1 open comment")
    expect(section.locator("details")).to_have_attribute("open", "")
    expect(section.locator(".thread strong")).to_have_text("gRPC")
    expect(ada.locator("#review-panel #review-scenario-rest-api")).to_contain_text("gRPC")
    expect(ada.locator("#jump-to-review")).to_contain_text("1 open comment")

    # Rita replies on her page; Ada's section shows it at the next poll, and stays open.
    rita.reload()
    theirs = rita.locator("#threads-section-scenario-rest-api")
    theirs.locator("summary").click()
    theirs.locator(".thread textarea").fill("REST: browsers call it.")
    theirs.locator("button:has-text('Reply')").click()
    expect(section).to_contain_text("REST: browsers call it.", timeout=12_000)
    expect(section.locator("details")).to_have_attribute("open", "")
    assert ada.evaluate("window.__loaded_once") is True
