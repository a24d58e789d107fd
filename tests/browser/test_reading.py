import pytest

from .conftest import sign_in

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
