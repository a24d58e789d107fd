import pytest
from playwright.sync_api import expect

from .conftest import sign_in, signed_in

pytestmark = pytest.mark.browser


def test_it_signs_in_and_reads_the_api_gateway_decision(page, live_server, live_example):
    sign_in(page, live_server)
    assert page.locator("table.log tbody tr").count() == 6
    page.click("text=Decide on API Gateway Requirements")
    page.wait_for_url("**/w/platform/6/")
    matrix = page.locator(".record-body table").first
    assert matrix.locator("thead th").all_inner_texts() == [
        "Option",
        "REST API",
        "HTTP API",
        "WebSocket API",
    ]
    assert matrix.locator("tbody tr").count() == 4
    assert page.locator(".admonition.warning").count() == 2
    assert "2 open considerations" in page.locator(".open-summary").inner_text()

    with page.expect_download() as download:
        page.click("text=Markdown (.md)")
    assert download.value.suggested_filename == "0006-decide-on-api-gateway-requirements.md"
    text = open(download.value.path(), encoding="utf-8").read()
    assert "# Decide on API Gateway Requirements" in text

    page.click("a:has-text('ADR-0005: Decide on WAF Requirements/Strategy')")
    page.wait_for_url("**/w/platform/5/")


def test_it_shows_a_wrong_password_without_signing_in(page, live_server, live_example):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "did not match" in page.locator("[role=alert]").inner_text()


def test_it_reads_a_decision_and_reaches_its_review_on_a_phone(browser, live_server, live_example):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    signed_in(page, live_server)
    width = "document.documentElement.scrollWidth"
    try:
        for path in ["/w/platform/5/", "/w/platform/6/", "/w/platform/5/review/"]:
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate(width) <= 390, path

        # The review panel comes after the text, thousands of pixels down: a link at the top.
        page.goto(f"{live_server.url}/w/platform/6/")
        link = page.locator("#jump-to-review a")
        assert link.bounding_box()["y"] < 200
        panel_top = page.locator("#review-panel").bounding_box()["y"]
        assert panel_top > 2 * 844  # far down the page, as it is on a phone
        link.click()
        expect(page.locator("#review-heading")).to_be_in_viewport()
        # Each section's comments open in place, without a sideways scroll.
        page.locator("#threads-section-context summary").click()
        expect(page.locator("#threads-section-context textarea")).to_be_visible()
        assert page.evaluate(width) <= 390
    finally:
        context.close()
