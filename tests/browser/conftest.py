"""Real pages in Debian's Chromium, driven by Playwright. A missing browser fails, never skips."""

import os
import shutil

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from playwright.sync_api import sync_playwright

from apps.accounts.management.commands.load_example import load_example
from apps.workspaces.models import Workspace

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


@pytest.fixture(scope="session")
def example_rows() -> dict:
    """The rows load_example writes, taken from the first test that loads it (table: columns and
    rows): the example is the same in every test of a run."""
    return {}


@pytest.fixture
def live_example(transactional_db, example_rows):
    """The example workspace, committed for the live server.

    Loading it runs the whole review of its decisions, about 0.5 s of CPU a test and 30 tests on
    each database; writing its rows back costs a tenth of that. They are written back only into
    tables as empty as the ones the first load started from, and the first test loads it for
    real; otherwise (another fixture wrote there first) the example is loaded as always.
    """
    if example_rows and _restore_rows(example_rows):
        workspace = Workspace.objects.get(pk=example_rows["workspace"])
    else:
        before = _rows_by_table()
        workspace = load_example(password="demo")
        if not example_rows:
            example_rows.update(_added_rows(before, _rows_by_table()), workspace=workspace.pk)
    yield workspace
    # The example accepts decisions, so it has frozen versions, which SQLite's flush may not
    # delete (their trigger refuses): erase them on purpose.
    erase_versions()


def _rows_by_table() -> dict[str, tuple[list[str], list[tuple]]]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            # Table names come from Django's introspection, quoted: no input reaches this SQL.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = ([c[0] for c in cursor.description], cursor.fetchall())
    return rows


def _added_rows(before: dict, after: dict) -> dict:
    """The tables load_example filled, if it only filled empty ones; else nothing (no copy)."""
    added = {}
    for table, (columns, rows) in after.items():
        if rows == before[table][1]:
            continue
        if before[table][1]:
            return {}
        added[table] = (columns, rows)
    return {"tables": added}


def _restore_rows(example_rows: dict) -> bool:
    """Write the example's rows back, when the tables it filled are empty again."""
    tables = example_rows.get("tables")
    if not tables:
        return False
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        probes = [f"SELECT 1 FROM {quote(t)}" for t in tables]  # noqa: S608
        cursor.execute(f"SELECT EXISTS ({' UNION ALL '.join(probes)})")
        if cursor.fetchone()[0]:
            return False
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # A decision's insert gives it an empty search document by trigger (search migration
        # 0008): the example's own documents go in last, in place of those.
        documents = "search_searchdocument"
        for table in sorted(tables, key=lambda table: table == documents):
            columns, rows = tables[table]
            names = ", ".join(map(quote, columns))
            marks = ", ".join(["%s"] * len(columns))
            if table == documents:
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608
        # The ids were given, so PostgreSQL's sequences did not move: past the rows, as a load
        # would leave them (SQLite's AUTOINCREMENT follows the largest id by itself).
        models = [m for m in apps.get_models() if m._meta.db_table in tables]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    return True


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
