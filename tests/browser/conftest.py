"""Real pages in Debian's Chromium, driven by Playwright. A missing browser fails, never skips."""

import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import sync_playwright

from apps.accounts.management.commands.load_example import load_example

from ..versions.helpers import erase_versions

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium keeps calling home and this machine's closed network refuses it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("ADROIT_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Debian's chromium is not installed: run `make browser` (or .ci/run).")
    return path


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def live_example(transactional_db):
    yield load_example(password="demo")
    # The example accepts decisions, so it has frozen versions, which SQLite's flush may not
    # delete (their trigger refuses): erase them on purpose.
    erase_versions()


def sign_in(page, live_server, username="demo", password="demo"):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def signed_in(page, live_server, username="demo"):
    """On the log as `username`, without the sign-in form (test_reading goes through it): a
    session made by Django's test client, handed to the browser as its cookie. The form costs
    two page loads per test."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": session.key, "value": session.value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/")
