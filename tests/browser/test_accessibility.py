"""axe-core on every page an admin opens and every step of the guided editor: no violation
that axe rates serious or critical. axe-core comes from the installed axe-playwright-python
package (MPL-2.0), never from a CDN."""

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from ..versions.helpers import erase_versions
from .conftest import signed_in
from .pages import every_admin_page, signed_out_pages

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    return [
        f"  {v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(node["target"]) for node in v["nodes"][:4])
        for v in found
        if v["impact"] in BLOCKING
    ]


def test_it_finds_no_serious_violation_on_any_page(browser, live_server, live_example):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    # Sent to the browser once, run in every page it opens (not pushed again page by page).
    context.add_init_script(script=AXE_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(15_000)
    report = []
    with every_admin_page() as pages:
        signed_in(page, live_server, "demo")
        for label, path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response.ok, f"{label} {path}: {response.status}"
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            if found := serious_violations(page):
                report.append(f"{label} {path}:\n" + "\n".join(found))
    context.close()
    assert len(pages) > 30, pages
    assert not report, "\n".join(report)


@pytest.fixture
def example(live_example):
    yield live_example
    erase_versions()  # the example's accepted decisions may carry versions (SQLite's flush)


def test_it_skips_to_the_content_from_the_first_tab(page, live_server, example):
    signed_in(page, live_server, "demo")

    page.keyboard.press("Tab")

    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to content"
    # Shown when focused (it hides above the page otherwise), with a visible outline.
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    # The next stop is the page's own first control, not the header's links.
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
    assert page.locator(":focus").inner_text() == "New decision"


def test_it_puts_the_cursor_where_the_error_is(page, live_server, example):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "dana@example.com")
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")

    page.wait_for_selector(".error[role=alert]")
    assert page.evaluate("document.activeElement.id") == "id_username"
    assert page.input_value("#id_username") == "dana@example.com"


def test_it_finds_no_serious_violation_signed_out(page, live_server, transactional_db):
    for label, path in signed_out_pages():
        page.goto(f"{live_server.url}{path}")
        if label == "accounts:invitation":
            # The sign-up form as it comes back refused: its errors are part of the page.
            page.fill("#id_username", "nora")
            page.fill("#id_password1", "short")
            page.fill("#id_password2", "other")
            page.click("button[type=submit]")
            page.wait_for_selector(".errorlist")
        page.evaluate(AXE_SCRIPT)
        assert not serious_violations(page), f"{label}: {serious_violations(page)}"
