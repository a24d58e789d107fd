"""Deciding in Chromium: answers rule scenarios out, weights re-rank, all without a page load."""

import pytest
from playwright.sync_api import expect

from apps.authoring.management.commands.load_kits import load_kits
from apps.authoring.models import Kit
from apps.decisions.models import Answer, Decision
from apps.workspaces.models import Workspace

from .conftest import signed_in

pytestmark = pytest.mark.browser


@pytest.fixture
def gateway_draft(live_example):
    load_kits()
    workspace = Workspace.objects.get(slug="platform")
    return Kit.objects.get(slug="api-gateway").start(workspace)


def answer(page, key: str, label: str) -> None:
    form = page.locator(f"#answer-{key}")
    form.get_by_label(label, exact=True).check()
    expect(form.locator(".save-state")).to_have_text("Saved")


def standing(page, scenario: str):
    return page.locator(f"#ranking tr[data-scenario='{scenario}']")


def htmx_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: "htmx:" in m.text and m.type == "error" and errors.append(m.text))
    return errors


def test_it_suggests_from_the_answers_and_reranks_on_a_weight(page, live_server, gateway_draft):
    errors = htmx_errors(page)
    signed_in(page, live_server)
    page.goto(f"{live_server.url}/w/platform/{gateway_draft.number}/edit/decide/")
    expect(page.locator("#stepbar li.current")).to_contain_text("Decide")
    page.evaluate("window.__marker = 1")

    answer(page, "api-keys", "Yes")
    expect(page.locator("#suggestion")).to_have_text(
        "Suggested: REST API, the only scenario that meets all required answers."
    )
    expect(standing(page, "HTTP API")).to_have_class("standing ruled-out")
    expect(standing(page, "HTTP API")).to_contain_text(
        "Does not meet: Do partners need API keys and per-client quotas? Yes"
    )
    effect = page.locator("#q-api-keys-effect")
    expect(effect).to_contain_text("Not met by: HTTP API, WebSocket API")

    # The other way round: no keys, but results pushed to clients.
    answer(page, "api-keys", "No")
    answer(page, "push", "Yes")
    expect(page.locator("#suggestion")).to_have_text(
        "Suggested: WebSocket API, the only scenario that meets all required answers."
    )
    expect(standing(page, "REST API")).to_have_class("standing ruled-out")

    # Clients ask instead: REST and HTTP tie until a weighted driver tells them apart.
    answer(page, "push", "No, clients ask for them")
    expect(page.locator("#suggestion")).to_contain_text("tie on the weighted score")
    latency = page.locator("#criterion-1")
    expect(latency).to_contain_text("Latency and cost per request matter")
    latency.get_by_label("Score of HTTP API on", exact=False).select_option("2")
    expect(page.locator("#suggestion")).to_have_text(
        "Suggested: HTTP API, meets all required answers, best weighted score (6 vs 0)."
    )
    latency.get_by_label("Weight of", exact=False).select_option("5")
    expect(page.locator("#suggestion")).to_have_text(
        "Suggested: HTTP API, meets all required answers, best weighted score (10 vs 0)."
    )
    expect(standing(page, "HTTP API").locator(".total")).to_have_text("10")
    # All of it in place: the page never reloaded, and every region found its place.
    assert page.evaluate("window.__marker") == 1
    assert errors == []

    # Choosing against the suggestion asks why; the reason lands in the rationale.
    choose = page.locator("#choose")
    choose.get_by_label("REST API", exact=True).check()
    choose.get_by_role("button", name="Choose as outcome").click()
    expect(page.locator("#choose-error")).to_contain_text("HTTP API is suggested, not REST API")
    assert Decision.objects.get(pk=gateway_draft.pk).chosen is None
    page.fill("#choose-reason", "Partners will need keys next year.")
    page.locator("#choose").get_by_role("button", name="Choose as outcome").click()
    expect(page.locator("#choose")).to_contain_text("REST API is the chosen outcome.")
    saved = Decision.objects.get(pk=gateway_draft.pk)
    assert saved.chosen.title == "REST API"
    assert saved.rationale.endswith(
        "Chosen over the suggested HTTP API: Partners will need keys next year."
    )


def test_it_shows_both_answers_when_two_people_change_the_same_one(
    page, browser, live_server, gateway_draft
):
    """Bo answers on a page loaded before Ada's answer: his form shows both, and keeps his."""
    other = browser.new_context().new_page()
    step = f"{live_server.url}/w/platform/{gateway_draft.number}/edit/decide/"
    signed_in(page, live_server)
    page.goto(step)
    signed_in(other, live_server)
    other.goto(step)

    answer(page, "push", "Yes")
    form = other.locator("#answer-push")
    form.get_by_label("No, clients ask for them", exact=True).check()
    expect(form).to_have_class("autosave answer conflict")
    expect(form.locator(".theirs")).to_have_text("Saved by someone else: Yes")
    expect(form.get_by_label("No, clients ask for them", exact=True)).to_be_checked()
    assert Answer.objects.get(decision=gateway_draft, key="push").answer == "Yes"

    form.get_by_role("button", name="Keep my answer").click()
    expect(other.locator("#answer-push")).to_have_class("autosave answer")
    expect(other.locator("#answer-push .save-state")).to_have_text("Saved")
    assert Answer.objects.get(decision=gateway_draft, key="push").answer == (
        "No, clients ask for them"
    )
    # The suggestion follows the answer kept, on the page that kept it.
    expect(other.locator("#suggestion")).to_contain_text("tie on the weighted score")
    other.context.close()
