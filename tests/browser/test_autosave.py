"""Nothing typed is lost: text whose save failed comes back on reload, until saved or discarded."""

import pytest
from playwright.sync_api import expect

from apps.decisions.models import Decision

from .conftest import sign_in

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
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/w/platform/6/edit/problem/")
    page.errors = errors
    return page


def fail_saves(page):
    """The network drops every save of the problem step, as when the server is down."""
    url = "**/w/platform/6/edit/part/problem/"
    page.route(url, lambda route: route.abort())
    return lambda: page.unroute(url)


def type_while_saves_fail(page, text):
    restore_network = fail_saves(page)
    form = page.locator("form#part-problem")
    form.locator("#id_context").fill(text)
    expect(form.locator(".save-state")).to_have_attribute("data-state", "failed")
    page.reload()
    return form, restore_network


def unexpected(errors):
    return [e for e in errors if not any(known in e for known in EXPECTED_ERRORS)]


def test_it_restores_text_whose_save_failed_until_it_is_saved(editor):
    page = editor
    form, restore_network = type_while_saves_fail(page, "Typed while the server was down.")

    expect(form.locator("#id_context")).to_have_value("Typed while the server was down.")
    expect(form.locator(".restored")).to_contain_text(RESTORED)
    expect(form.locator(".save-state")).to_have_attribute("data-state", "failed")

    restore_network()
    form.locator("button:has-text('Save')").click()
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
