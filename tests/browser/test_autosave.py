"""Nothing typed is lost: text whose save failed comes back on reload, until saved or discarded."""

import pytest
from django.db.models import F
from playwright.sync_api import expect

from apps.decisions.models import Decision

from .conftest import signed_in

pytestmark = pytest.mark.browser

RESTORED = "Restored your unsaved text — not saved yet"
# What Chromium and htmx report when the network drops a request, and Chromium asking for an icon
# the app has none of; anything else is a bug.
EXPECTED_ERRORS = ("net::ERR_FAILED", "htmx:sendError", "htmx:afterRequest", "/favicon.ico")
SERVER_TEXT = "The problem as the server has it."


@pytest.fixture
def editor(page, live_server, live_example):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: msg.type == "error" and errors.append(f"{msg.text} at {msg.location['url']}"),
    )
    # The person reloads although the page warns that their text is not saved.
    page.on("dialog", lambda dialog: dialog.accept())
    Decision.objects.filter(number=6).update(context=SERVER_TEXT)
    signed_in(page, live_server)
    page.goto(f"{live_server.url}/w/platform/6/edit/problem/")
    page.errors = errors
    return page


def type_while_saves_fail(page, text, url="**/w/platform/6/edit/part/problem/"):
    """The network drops every save (as when the server is down) while the person types."""
    page.route(url, lambda route: route.abort())
    form = page.locator("form#part-problem")
    form.locator("#id_context").fill(text)
    expect(form.locator(".save-state")).to_have_attribute("data-state", "failed")
    return form, lambda: page.unroute(url)


def unexpected(errors, *also):
    return [e for e in errors if not any(known in e for known in EXPECTED_ERRORS + also)]


def test_it_restores_text_whose_save_failed_until_it_is_saved(editor):
    page = editor
    form, restore_network = type_while_saves_fail(page, "Typed while the server was down.")
    page.reload()

    expect(form.locator("#id_context")).to_have_value("Typed while the server was down.")
    expect(form.locator(".restored")).to_contain_text(RESTORED)
    expect(form.locator(".save-state")).to_have_attribute("data-state", "failed")

    restore_network()
    form.evaluate("f => f.requestSubmit()")  # as Enter would: no Save button while scripts run
    expect(form.locator(".save-state")).to_have_text("Saved")
    expect(form.locator(".restored")).to_have_count(0)
    assert Decision.objects.get(number=6).context == "Typed while the server was down."

    # Once saved, the text is the server's to keep: a later edit by someone else is what shows.
    Decision.objects.filter(number=6).update(context="Edited later by someone else.")
    page.reload()
    expect(form.locator("#id_context")).to_have_value("Edited later by someone else.")
    expect(form.locator(".save-state")).to_have_text("")
    expect(page.locator(".restored")).to_have_count(0)
    assert unexpected(page.errors) == []


def test_it_discards_restored_text_for_the_servers(editor):
    page = editor
    form, restore_network = type_while_saves_fail(page, "A draft I will throw away.")
    page.reload()
    expect(form.locator("#id_context")).to_have_value("A draft I will throw away.")
    expect(form.locator(".restored")).to_contain_text(RESTORED)

    restore_network()
    form.locator(".restored button:has-text('Discard')").click()
    expect(form.locator("#id_context")).to_have_value(SERVER_TEXT)
    expect(form.locator(".restored")).to_have_count(0)
    expect(form.locator(".save-state")).to_have_text("Saved")

    page.reload()
    expect(form.locator("#id_context")).to_have_value(SERVER_TEXT)
    expect(page.locator(".restored")).to_have_count(0)
    assert Decision.objects.get(number=6).context == SERVER_TEXT
    assert unexpected(page.errors) == []


def test_it_shows_both_texts_when_someone_saved_before_the_restored_text(editor):
    page = editor
    form, restore_network = type_while_saves_fail(page, "Mine, typed while offline.")
    Decision.objects.filter(number=6).update(context="Theirs.", revision=F("revision") + 1)
    restore_network()
    page.reload()

    conflict = page.locator("form#part-problem.conflict")
    expect(conflict.locator(".theirs")).to_contain_text("Theirs.")
    expect(conflict.locator("#id_context")).to_have_value("Mine, typed while offline.")
    assert Decision.objects.get(number=6).context == "Theirs."
    conflict.locator("button:has-text('Keep my text')").click()
    expect(form.locator(".save-state")).to_have_text("Saved")
    assert Decision.objects.get(number=6).context == "Mine, typed while offline."
    assert unexpected(page.errors, "409 (Conflict)") == []


def test_it_restores_text_in_a_region_htmx_swaps_in(editor, live_server):
    page = editor
    page.goto(f"{live_server.url}/w/platform/6/edit/scenarios/")
    url = "**/w/platform/6/edit/scenario/*/"
    page.route(url, lambda route: route.abort())
    first = page.locator("section.scenario").first
    scenario_id = first.get_attribute("id")
    form = first.locator("form.autosave").first
    form.locator("textarea[name$='-description']").fill("Typed while offline, then moved.")
    expect(form.locator(".save-state")).to_have_attribute("data-state", "failed")

    # Moving the scenario renders every scenario again from the server.
    first.locator(".row-head button[aria-label$=' down']").click()
    moved = page.locator(f"#{scenario_id}")
    expect(page.locator("section.scenario").nth(1)).to_have_id(scenario_id)
    expect(moved.locator("textarea[name$='-description']")).to_have_value(
        "Typed while offline, then moved."
    )
    expect(moved.locator(".restored")).to_contain_text(RESTORED)

    page.unroute(url)
    moved.locator("form.autosave").first.evaluate("f => f.requestSubmit()")
    expect(moved.locator("form.autosave").first.locator(".save-state")).to_have_text("Saved")
    expect(moved.locator(".restored")).to_have_count(0)
    assert unexpected(page.errors) == []
