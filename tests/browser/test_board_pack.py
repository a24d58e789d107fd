import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect
from pypdf import PdfReader

from apps.decisions.models import Decision

from .conftest import signed_in

# The real queue: the worker process below finds the job in the database, as in production.
pytestmark = [pytest.mark.browser, pytest.mark.db_tasks]


def worker_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(live_example):
    """The real database worker, in its own process, on the test database."""
    env = {**os.environ, "DATABASE_URL": worker_database_url(), "DEBUG": "0"}
    # The worker stores the pack where the live server reads it (tests/conftest.py, media_root).
    env["ADROIT_MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "*",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "-v",
            "0",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
    )
    yield process
    process.terminate()
    process.wait(timeout=30)


def test_it_builds_a_board_pack_of_50_decisions_with_live_progress(
    page, live_server, live_example, worker
):
    workspace = live_example
    for i in range(44):
        Decision.objects.create(
            workspace=workspace, number=100 + i, title=f"Decision {i} for the board",
            context=f"Why decision {i} matters. " * 20, status="accepted",
        )  # fmt: skip
    assert Decision.objects.filter(workspace=workspace).count() == 50
    signed_in(page, live_server)
    page.click("text=Export Platform Architecture")
    # "all of them" works through exports.js: tick it once the page and its scripts are loaded.
    page.wait_for_url("**/w/platform/exports/")
    page.wait_for_load_state("load")
    page.check("text=all of them")
    expect(page.locator("input[name=decisions]:checked")).to_have_count(50)
    page.click("text=Make the board pack")

    page.wait_for_url("**/w/platform/exports/*/")
    bar = page.locator("#job-progress progress")
    # The bar moves: it shows a partial count before the end (htmx polls each second).
    page.wait_for_function(
        "() => { const p = document.querySelector('#job-progress progress');"
        " return p && p.value > 0 && p.value < 50; }",
        timeout=120_000,
    )
    assert bar.get_attribute("max") == "50"
    link = page.locator("#job-progress button:has-text('Download')")
    link.wait_for(timeout=180_000)
    with page.expect_download() as download:
        link.click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    pages = len(pdf.pages)
    assert pages > 50
    assert "Board pack" in pdf.pages[0].extract_text()
    # One document: the numbering runs through it, and each decision has one bookmark.
    assert f"Page {pages} of {pages}" in pdf.pages[-1].extract_text()
    assert len([item for item in pdf.outline if not isinstance(item, list)]) == 50
