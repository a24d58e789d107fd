"""A review in Chromium: submit, comment, reply, resolve, approve v1; reopen, edit, v2, diff."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from apps.decisions.models import Decision
from apps.versions.models import Version

from ..factories import make_team, make_workspace
from ..reviews.helpers import draft
from ..versions.helpers import erase_versions
from .conftest import signed_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_team(transactional_db):
    workspace = make_workspace("team")
    people = make_team(workspace, ada="author", rita="reviewer")
    people["decision"] = draft(workspace, people["ada"])
    yield people
    erase_versions()


def as_user(browser, live_server, username):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    signed_in(page, live_server, username)
    return page


def submit_for_review(page):
    panel = page.locator("#review-panel")
    panel.get_by_label("rita").check()
    page.fill("#id_approvals_needed", "1")
    page.click("#submit-review")
    expect(panel).to_contain_text("0 of 1")


def test_it_reviews_accepts_and_versions_a_decision(browser, page, live_server, live_team):
    decision = live_team["decision"]
    address = f"{live_server.url}{decision.get_absolute_url()}"

    # The author submits, naming Rita.
    signed_in(page, live_server, "ada")
    page.goto(address)
    submit_for_review(page)
    expect(page.locator(".status-history")).to_contain_text("Draft → In review")

    # Rita comments on the REST API scenario; Ada sees it appear without reloading.
    rita = as_user(browser, live_server, "rita")
    rita.goto(address)
    rita.select_option("#id_section", label="Scenario: REST API")
    rita.fill("#id_body", "What about **gRPC** for internal calls?")
    rita.click("#comment")
    expect(rita.locator("#review-scenario-rest-api")).to_contain_text("gRPC")
    page.evaluate("window.__marker = 1")
    thread = page.locator("#review-scenario-rest-api .thread")
    expect(thread).to_contain_text("gRPC", timeout=12_000)
    assert page.evaluate("window.__marker") == 1  # no reload happened

    # Ada replies and resolves.
    thread.locator("textarea").fill("Browsers call this API, so REST.")
    thread.locator("button:has-text('Reply')").click()
    expect(thread).to_contain_text("Browsers call this API")
    page.locator("#review-scenario-rest-api .thread button:has-text('Resolve')").click()
    expect(page.locator("#review-scenario-rest-api .thread")).to_contain_text("Resolved by ada")

    # Rita approves: accepted as v1.
    rita.reload()
    rita.click("#approve")
    expect(rita.locator("#versions")).to_contain_text("v1")
    assert Decision.objects.get(pk=decision.pk).status == "accepted"
    v1 = Version.objects.get(decision=decision, number=1)

    # Its PDF shows v1, its hash and the approval.
    rita.goto(f"{live_server.url}/w/team/{decision.number}/versions/")
    with rita.expect_download() as download:
        rita.click("form[action$='/versions/1.pdf'] button")
    reader = PdfReader(download.value.path())
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    assert "v1" in text and v1.sha256 in text and "Approvedby" in text and "rita" in text

    # Ada reopens, edits and resubmits; Rita approves v2.
    page.goto(address)
    page.click("#move-draft")
    expect(page.locator("#review-panel")).to_contain_text("Draft of version 2")
    page.goto(f"{live_server.url}/w/team/{decision.number}/edit/problem/")
    problem = page.locator("form#part-problem")
    problem.locator("#id_context").fill("We expose a public API to partners.")
    expect(problem.locator(".save-state")).to_have_text("Saved")
    page.goto(address)
    submit_for_review(page)
    rita.goto(address)
    rita.click("#approve")
    expect(rita.locator("#versions")).to_contain_text("v2")

    # The diff v1 -> v2 shows exactly that edit.
    rita.goto(f"{live_server.url}/w/team/{decision.number}/versions/")
    rita.click("#compare")
    diff = rita.locator("#diff")
    expect(diff).to_contain_text("1 section changed")
    expect(diff.locator(".diff-section h2")).to_have_count(1)
    expect(diff.locator(".diff-section h2")).to_contain_text("Context and Problem Statement")
    # Words, not lines: only "an" went, "a public" and "to partners" came; the rest is folded.
    expect(diff.locator(".removed del")).to_have_text(["[removed: an]"])
    expect(diff.locator(".added ins")).to_have_text(["[added: a public]", "[added:  to partners]"])
    expect(diff.locator("details.diff-same").first).not_to_have_attribute("open", "")
    expect(diff.locator("details.diff-same summary").first).to_contain_text("unchanged")
    assert Path(download.value.path()).exists()
