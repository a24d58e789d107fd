"""The guided editor in Chromium: two people at once, the keyboard alone, and a phone."""

import pytest
import yaml
from playwright.sync_api import expect

from apps.authoring.management.commands.load_kits import load_kits
from apps.decisions.models import AuthOption, Decision, Scenario, Support

from .conftest import signed_in

pytestmark = pytest.mark.browser

EDITOR = "/w/platform/6/edit/"


@pytest.fixture
def live_kits(live_example):
    load_kits()
    return live_example


def saved(form):
    expect(form.locator(".save-state")).to_have_text("Saved")


@pytest.fixture
def two_people(browser, live_server, live_example):
    pages = []
    for user in ["demo", "tom"]:
        page = browser.new_context().new_page()
        page.set_default_timeout(15_000)
        signed_in(page, live_server, username=user)
        pages.append(page)
    yield pages
    for page in pages:
        page.context.close()


def test_two_people_edit_different_fields_and_rows_at_once_and_both_land(two_people, live_server):
    dana, tom = two_people
    for page in two_people:
        page.goto(f"{live_server.url}{EDITOR}problem/")
    # Both pages were loaded before either saved: each save is based on the page it came from.
    dana.fill("#id_context", "Dana's problem statement.")
    tom.fill("#id_drivers", "Tom's only driver.")
    saved(dana.locator("form#part-problem"))
    saved(tom.locator("form#part-problem"))
    decision = Decision.objects.get(number=6)
    assert decision.context == "Dana's problem statement."
    assert decision.drivers == "Tom's only driver."

    # Two cells of one matrix row, and two rows of it, from pages loaded together.
    for page in two_people:
        page.goto(f"{live_server.url}{EDITOR}considerations/")
    option = AuthOption.objects.get(consideration__decision=decision, title="API key")
    rest, http, websocket = Scenario.objects.filter(decision=decision).order_by("position")
    first = dana.locator(f"form#cell-{option.pk}-{http.pk}")
    second = tom.locator(f"form#cell-{option.pk}-{websocket.pk}")
    first.locator("textarea").fill("needs a usage plan")
    second.locator("select").select_option("partial")
    saved(first)
    saved(second)
    other = AuthOption.objects.get(consideration__decision=decision, title="Amazon Cognito")
    row = tom.locator(f"form#option-{other.pk}")
    row.locator("textarea[name$='-description']").fill("Tom's Cognito text.")
    saved(row)
    cells = {c.scenario_id: c for c in Support.objects.filter(option=option)}
    assert cells[http.pk].note == "needs a usage plan"
    assert cells[websocket.pk].level == "partial"
    assert AuthOption.objects.get(pk=other.pk).description == "Tom's Cognito text."

    # The same field is still a conflict, shown beside what was typed.
    dana.goto(f"{live_server.url}{EDITOR}problem/")
    tom.goto(f"{live_server.url}{EDITOR}problem/")
    dana.fill("#id_context", "Dana again.")
    saved(dana.locator("form#part-problem"))
    tom.fill("#id_context", "Tom's take.")
    conflict = tom.locator("form#part-problem.conflict")
    expect(conflict.locator(".theirs")).to_contain_text("Dana again.")
    expect(tom.locator("#id_context")).to_have_value("Tom's take.")
    expect(tom.locator("#id_context")).to_be_focused()  # the conflict takes focus
    assert Decision.objects.get(number=6).context == "Dana again."


def test_it_removes_a_scenario_with_undo_and_keeps_focus_on_a_moved_row(
    page, live_server, live_example
):
    signed_in(page, live_server)
    page.goto(f"{live_server.url}{EDITOR}scenarios/")
    decision = Decision.objects.get(number=6)
    rest = Scenario.objects.get(decision=decision, title="REST API")
    before = list(rest.points.values_list("pk", "text"))
    page.locator("button[aria-label='Remove REST API']").click()
    toast = page.locator("#undo")
    expect(toast).to_contain_text("Removed: REST API.")
    expect(page.locator("#scenario-rest-api")).to_have_count(0)
    toast.locator("button:has-text('Undo')").click()
    expect(page.locator("section.scenario").first).to_have_id("scenario-rest-api")
    expect(toast).to_be_empty()
    assert list(Scenario.objects.get(pk=rest.pk).points.values_list("pk", "text")) == before

    # Moving a row keeps focus on the button that moved it.
    page.locator("#scenario-rest-api button[aria-label='Move REST API down']").focus()
    page.keyboard.press("Enter")
    expect(page.locator("section.scenario").nth(1)).to_have_id("scenario-rest-api")
    expect(page.locator(f"#move-scenario-{rest.pk}-down")).to_be_focused()


def tab_to(page, selector: str, most: int = 250):
    """Press Tab until the focused element matches `selector`, as a keyboard user would."""
    for _ in range(most):
        if page.evaluate("s => document.activeElement?.matches(s) || false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_it_walks_from_a_kit_to_submit_with_the_keyboard_only(page, live_server, live_kits):
    page.on("dialog", lambda dialog: dialog.accept())
    signed_in(page, live_server)
    page.goto(f"{live_server.url}/new/")
    tab_to(page, "input[name=kit]")
    for _ in range(10):
        label = page.evaluate("document.activeElement.closest('label').textContent")
        if "API gateway" in label:
            break
        page.keyboard.press("ArrowDown")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/w/platform/7/edit/problem/")

    tab_to(page, "#id_context")
    page.keyboard.type("Partners need our APIs by June.")
    tab_to(page, "#id_decision_makers")
    page.keyboard.type("Dana Demo")
    page.keyboard.press("Enter")
    page.keyboard.type("Security team")
    tab_to(page, "#id_consulted")
    page.keyboard.type("Priya Raman, Platform guild")
    tab_to(page, "#id_informed")
    page.keyboard.type("Everyone in #api")
    tab_to(page, "#id_tags")
    page.keyboard.press("Control+A")
    page.keyboard.type("api, gateway")
    tab_to(page, "#id_decided_on")
    page.keyboard.type("11302026")
    page.keyboard.press("Tab")
    saved(page.locator("form#part-people"))
    saved(page.locator("form#part-problem"))

    def step(slug: str):
        tab_to(page, f"#stepbar a[href$='/edit/{slug}/']")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/edit/{slug}/")

    step("scenarios")
    websocket = Scenario.objects.get(decision__number=7, title="WebSocket API")
    tab_to(page, f"#id_point-new-{websocket.pk}-kind")
    page.keyboard.type("Bad")
    tab_to(page, f"#id_point-new-{websocket.pk}-text")
    page.keyboard.type("idle connections cost money")
    tab_to(page, f"#point-new-{websocket.pk} button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(f"#points-{websocket.pk} .point-bad")).to_have_count(1)

    step("considerations")
    option = AuthOption.objects.get(consideration__decision__number=7, title="Lambda authorizer")
    tab_to(page, f"#id_cell-{option.pk}-{websocket.pk}-level")
    page.keyboard.type("Supported")
    saved(page.locator(f"form#cell-{option.pk}-{websocket.pk}"))
    for checkbox in page.locator("form.autosave input[name$='-is_open']").all():
        tab_to(page, f"#{checkbox.get_attribute('id')}")
        page.keyboard.press("Space")
        saved(page.locator(f"form:has(#{checkbox.get_attribute('id')})"))

    step("outcome")
    tab_to(page, "#id_chosen")
    page.keyboard.type("REST API")
    tab_to(page, "#id_rationale")
    page.keyboard.type("partners need API keys.")
    saved(page.locator("form#part-outcome"))

    step("check")
    tab_to(page, "#submit input[type=checkbox]")
    while "Priya Raman" not in page.evaluate(
        "document.activeElement.closest('label')?.textContent || ''"
    ):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    tab_to(page, "#submit button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/w/platform/7/")

    decision = Decision.objects.get(number=7)
    assert decision.status == "in_review"
    # The Markdown export, downloaded from its page, with the keyboard too.
    page.goto(f"{live_server.url}/w/platform/7.md")
    tab_to(page, "main button[type=submit]")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    text = open(download.value.path(), encoding="utf-8").read()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["decision-makers"] == ["Dana Demo", "Security team"]
    assert front["consulted"] == ["Priya Raman", "Platform guild"]
    assert front["informed"] == ["Everyone in #api"]
    assert front["tags"] == ["api", "gateway"]
    assert str(decision.decided_on) == "2026-11-30"


@pytest.mark.parametrize("step", ["problem", "scenarios", "considerations", "outcome", "check"])
def test_its_every_step_fits_a_phone(browser, live_server, live_example, step):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    signed_in(page, live_server)
    page.goto(f"{live_server.url}{EDITOR}{step}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390, f"{step}: {width}px wide on a 390px screen"


def test_its_preview_follows_the_step_being_edited(browser, live_server, live_example):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    signed_in(page, live_server)
    page.goto(f"{live_server.url}{EDITOR}considerations/")
    expect(page.locator("#preview h2.current-step")).to_have_text("Considerations")
    heading = page.locator("#preview h2.current-step").bounding_box()
    preview = page.locator("#preview").bounding_box()
    context.close()
    # Scrolled to its section: the heading is near the top of the preview, not far below it.
    assert preview["y"] <= heading["y"] <= preview["y"] + 40
