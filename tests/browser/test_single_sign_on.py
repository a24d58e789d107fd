"""Signing in and out through a real OpenID Connect provider (tests/oidc), in Chromium: the
provider's own sign-in and consent pages, the workspace its group maps to, the mapped role."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import expect

from apps.accounts.models import GroupRole
from apps.authoring.management.commands.load_kits import load_kits
from apps.decisions.models import Decision
from apps.workspaces.models import Membership

from ..factories import make_workspace
from ..oidc.fixtures import PASSWORD, accounts, point_adroit_at, start_provider
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider(live_server):
    started = start_provider([live_server.url])
    yield started
    started.stop()


def sign_in_at_provider(page, login: str = "ada"):
    expect(page.get_by_role("heading", name="Sign in to the test provider")).to_be_visible()
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")


def test_it_signs_in_through_the_provider_lands_in_the_mapped_workspace_and_signs_out(
    page, live_server, transactional_db, settings, provider
):
    provider.set_accounts(accounts())
    point_adroit_at(settings, provider, name="Test ID")
    load_kits()
    platform = make_workspace("platform", "Platform")
    make_workspace("payments", "Payments")
    GroupRole.objects.create(group="architects", workspace=platform, role="author")

    page.goto(f"{live_server.url}/login/")
    page.evaluate(AXE_SCRIPT)
    assert not serious_violations(page)
    page.click("text=Sign in with Test ID")
    sign_in_at_provider(page)
    expect(page.get_by_role("heading", name="Allow Adroit?")).to_be_visible()
    page.click("button:has-text('Allow')")

    # Back in Adroit as the provider's person, in the workspace the group maps to.
    expect(page).to_have_url(f"{live_server.url}/?workspace=platform")
    expect(page.locator("header .who")).to_have_text("Ada Lovelace")
    assert Membership.objects.get(user__email="ada.lovelace@example.com").workspace == platform
    page.goto(f"{live_server.url}/w/platform/members/")
    expect(page.locator("main")).to_contain_text("Your role: Author.")

    # What an author may do: write a decision in Platform (and in no other workspace).
    page.click("nav >> text=Decision log")
    page.click("text=New decision")
    expect(page.locator("#id_workspace option")).to_have_text(["Platform"])
    page.fill("#id_title", "Sign in through the company's provider")
    page.locator("fieldset.kits input[type=radio]").first.check()
    page.click("button:has-text('Start writing')")
    expect(page).to_have_url(re.compile(r"/w/platform/\d+/edit/"))
    assert Decision.objects.get().owner.get_full_name() == "Ada Lovelace"

    # Signing out ends Adroit's session and, at the provider's page, the provider's.
    page.goto(f"{live_server.url}/w/platform/members/")
    page.click("header button:has-text('Sign out')")
    expect(page.get_by_role("heading", name="Sign out of the test provider?")).to_be_visible()
    page.click("button:has-text('Yes, sign me out')")
    expect(page).to_have_url(f"{live_server.url}/login/")
    page.goto(f"{live_server.url}/w/platform/members/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    # The provider asks for the password again: its session ended too.
    page.click("text=Sign in with Test ID")
    expect(page.get_by_role("heading", name="Sign in to the test provider")).to_be_visible()


def test_a_refused_sign_in_shows_why_and_leaves_nobody_signed_in(
    page, live_server, transactional_db, settings, provider
):
    provider.set_accounts(accounts())
    point_adroit_at(settings, provider, name="Test ID")
    settings.OIDC_OP_ISSUER = "https://login.example.com"

    page.goto(f"{live_server.url}/login/")
    page.click("text=Sign in with Test ID")
    sign_in_at_provider(page)
    page.click("button:has-text('Allow')")

    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.locator("main")).to_contain_text("not from https://login.example.com")
    expect(page.locator("header .who")).to_have_count(0)
    page.evaluate(AXE_SCRIPT)
    assert not serious_violations(page)
