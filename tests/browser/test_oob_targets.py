"""Every out-of-band swap finds its target: htmx reports no error in the console, on the decision
page, the review page and in the editor, for a record whose sections are not all on the page (a
section left empty has no heading there, yet the review panel's poll sends its comments' region)."""

import pytest
from playwright.sync_api import expect

from apps.decisions.models import Decision

from .conftest import signed_in

pytestmark = pytest.mark.browser

NUMBER = 6


@pytest.fixture
def headless(live_example):
    """The example's API gateway draft without decision drivers: no heading for that section."""
    Decision.objects.filter(workspace__slug="platform", number=NUMBER).update(drivers="")
    return Decision.objects.get(workspace__slug="platform", number=NUMBER)


def htmx_errors(page) -> list[str]:
    """htmx's own complaints (`htmx:oobErrorNoTarget`, `htmx:swapError`, ...), as they come."""
    errors: list[str] = []
    page.on("console", lambda m: "htmx:" in m.text and m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_it_swaps_a_pages_regions_only_into_what_the_page_has(page, live_server, headless):
    errors = htmx_errors(page)
    signed_in(page, live_server)
    page.goto(f"{live_server.url}/w/platform/{NUMBER}/")
    body = page.locator(".record-body h2")
    expect(body.filter(has_text="Context and Problem Statement")).to_be_visible()
    expect(body.filter(has_text="Decision Drivers")).to_have_count(0)
    # The review panel polls its threads every few seconds, each section's region out of band.
    with page.expect_response(lambda r: r.url.endswith("/review/"), timeout=15_000):
        pass
    page.wait_for_timeout(500)  # let htmx swap what came
    assert errors == []
    # The hidden targets take the comments of sections not on the page out of sight.
    expect(page.locator("#threads-section-drivers")).to_be_hidden()

    # The review page polls the same threads, and has none of the decision page's regions.
    page.goto(f"{live_server.url}/w/platform/{NUMBER}/review/")
    with page.expect_response(lambda r: r.url.endswith("/review/"), timeout=15_000):
        pass
    page.wait_for_timeout(500)
    assert errors == []

    # The editor: an autosave, and the step bar and preview fetched after it.
    page.goto(f"{live_server.url}/w/platform/{NUMBER}/edit/problem/")
    form = page.locator("form#part-problem")
    form.locator("#id_context").fill("Partners need our APIs by June.")
    expect(form.locator(".save-state")).to_have_text("Saved")
    with page.expect_response(lambda r: "/edit/problem/live/" in r.url):
        pass
    page.wait_for_timeout(500)

    # The Decide step: its ranking and effects come out of band after each save.
    page.goto(f"{live_server.url}/w/platform/{NUMBER}/edit/decide/")
    expect(page.locator("#ranking")).to_be_visible()
    page.wait_for_timeout(500)
    assert errors == []
