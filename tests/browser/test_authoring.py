"""Writing a decision in Chromium: from the API gateway kit to review, and two people at once."""

import re

import pytest
from playwright.sync_api import expect

from apps.authoring.management.commands.load_kits import load_kits
from apps.decisions.models import Decision

from .conftest import signed_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_kits(live_example):
    load_kits()
    return live_example


class PageLoads:
    """Counts full page loads of the main frame, and marks the window to prove none happened."""

    def __init__(self, page):
        self.page = page
        self.count = 0
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.count += 1

    def start(self):
        self.page.evaluate("window.__marker = 1")
        self.count = 0

    def assert_none(self):
        assert self.count == 0
        assert self.page.evaluate("window.__marker") == 1


def saved(form):
    expect(form.locator(".save-state")).to_have_text("Saved")


def gaps_left(page) -> int:
    return int(page.locator("#stepbar .count[data-gaps]").get_attribute("data-gaps"))


def go_to_step(page, label):
    page.click(f"#stepbar a:has-text('{label}')")
    expect(page.locator("#stepbar li.current")).to_contain_text(label)


def test_it_writes_the_api_gateway_decision_from_its_kit_to_review(page, live_server, live_kits):
    signed_in(page, live_server)
    page.click("text=New decision")
    page.check("label.kit:has-text('API gateway') input")
    page.click("button:has-text('Start writing')")
    page.wait_for_url("**/w/platform/7/edit/problem/")
    loads = PageLoads(page)
    start = gaps_left(page)
    assert start == 7  # the kit only prompts for the problem: the author writes it
    problem = page.locator("form#part-problem")
    expect(problem.locator("#id_context")).to_have_attribute(
        "placeholder", re.compile("Describe the APIs about to be published")
    )
    problem.locator("#id_context").fill("Partners need our APIs by June.")
    saved(problem)
    expect(page.locator("#stepbar .count[data-gaps]")).to_have_attribute("data-gaps", "6")

    # Step 2: edit a scenario, add a pro and a con, all in place.
    go_to_step(page, "Scenarios")
    loads.start()
    rest = page.locator("#scenario-rest-api form.autosave").first
    rest.locator("textarea[name$='-description']").fill("Edited in the browser: resources.")
    saved(rest)
    websocket = page.locator("#scenario-websocket-api")
    add = websocket.locator("form.add")
    add.locator("select").select_option("good")
    add.locator("textarea[name$='-text']").fill("pushes results to dashboards")
    add.locator("button:has-text('Add point')").click()
    expect(websocket.locator(".point-good")).to_have_count(2)
    add = websocket.locator("form.add")
    add.locator("select").select_option("bad")
    add.locator("textarea[name$='-text']").fill("connections cost money while idle")
    add.locator("button:has-text('Add point')").click()
    expect(websocket.locator(".point-bad")).to_have_count(1)
    expect(page.locator("#preview")).to_contain_text("connections cost money while idle")
    expect(page.locator("#stepbar .count[data-gaps]")).to_have_attribute("data-gaps", "5")
    loads.assert_none()

    # Step 3: assess the last open cell, settle every consideration.
    go_to_step(page, "Considerations and options")
    loads.start()
    cell = page.locator("#cell-authentication-lambda-authorizer-websocket-api form")
    cell.locator("select").select_option("supported")
    cell.locator("textarea[name$='-note']").fill("on the $connect route")
    cell.locator("textarea[name$='-note']").blur()
    saved(cell)
    expect(page.locator("#preview")).to_contain_text("✓ supported: on the $connect route")
    # The step bar catches up once the saves pause.
    expect(page.locator("#stepbar .count[data-gaps]")).to_have_attribute("data-gaps", "4")
    shrinking = [gaps_left(page)]
    for consideration in page.locator("section.consideration").all():
        form = consideration.locator("form.autosave").first
        form.locator("input[type=checkbox]").uncheck()
        saved(form)
        expect(page.locator("#stepbar .count[data-gaps]")).not_to_have_attribute(
            "data-gaps", str(shrinking[-1])
        )
        shrinking.append(gaps_left(page))
    assert shrinking == [4, 3, 2, 1]
    loads.assert_none()

    # Step 4: pick the outcome.
    go_to_step(page, "Outcome")
    loads.start()
    outcome = page.locator("form#part-outcome")
    outcome.locator("select[name=chosen]").select_option(label="REST API")
    outcome.locator("textarea[name=rationale]").fill("partners need API keys and usage plans.")
    saved(outcome)
    expect(page.locator("#stepbar .count[data-gaps]")).to_have_attribute("data-gaps", "0")
    expect(page.locator("#preview")).to_contain_text('Chosen option: "REST API", because partners')
    loads.assert_none()

    # Step 5: nothing required is missing; submit.
    go_to_step(page, "Check and submit")
    expect(page.locator("#check-gaps li.required")).to_have_count(0)
    page.locator("#submit").get_by_label("Priya Raman").check()  # the example's reviewer
    page.click("button:has-text('Submit for review')")
    page.wait_for_url("**/w/platform/7/")
    expect(page.locator(".decision-head .status")).to_have_text("In review")
    expect(page.locator("#review-state")).to_contain_text("Reviewers: Priya Raman.")

    with page.expect_download() as download:
        page.click("text=Markdown (.md)")
    text = open(download.value.path(), encoding="utf-8").read()
    assert "status: proposed" in text
    assert "Edited in the browser: resources." in text
    assert "* Good, because pushes results to dashboards" in text
    assert "* Bad, because connections cost money while idle" in text
    assert "✓ supported: on the $connect route" in text
    assert 'Chosen option: "REST API", because partners need API keys' in text
    assert "not settled yet" not in text


def test_it_shows_the_second_person_the_conflict_and_keeps_both_texts(
    browser, live_server, live_kits
):
    first = browser.new_context().new_page()
    second = browser.new_context().new_page()
    editor = f"{live_server.url}/w/platform/6/edit/problem/"
    for page, user in [(first, "demo"), (second, "tom")]:
        page.set_default_timeout(15_000)
        signed_in(page, live_server, username=user)
        page.goto(editor)

    first.fill("#id_context", "Dana's problem statement.")
    saved(first.locator("form#part-problem"))

    second.fill("#id_context", "Tom's problem statement.")
    conflict = second.locator("form#part-problem.conflict")
    expect(conflict).to_be_visible()
    expect(conflict.locator(".theirs")).to_contain_text("Dana's problem statement.")
    expect(second.locator("#id_context")).to_have_value("Tom's problem statement.")
    expect(conflict.locator(".save-state")).to_have_text("Not saved: conflict")
    assert Decision.objects.get(number=6).context == "Dana's problem statement."

    # Tom decides to keep his text: now it is saved, knowingly.
    conflict.locator("button:has-text('Keep my text')").click()
    saved(second.locator("form#part-problem"))
    assert Decision.objects.get(number=6).context == "Tom's problem statement."
    first.context.close()
    second.context.close()
