"""The exported site, opened from disk with the network blocked: search it, follow a relation."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.decisions.building import link

from ..factories import make_decision, make_workspace

pytestmark = pytest.mark.browser


def test_it_searches_offline_and_follows_a_relation(page, tmp_path, db):
    workspace = make_workspace("platform", "Platform")
    old = make_decision(workspace, "Use MySQL", status="superseded", context="A row store.")
    new = make_decision(
        workspace, "Use PostgreSQL", status="accepted", context="We need JSONB and pgvector."
    )
    make_decision(workspace, "Choose a queue", context="Kafka or SQS?")
    link(new, old, "supersedes")
    out = tmp_path / "site"
    call_command("export_adrs", format="site", out=out, workspace="platform", verbosity=0)

    outside = []

    def block(route):
        outside.append(route.request.url)
        route.abort()

    page.route(lambda url: not url.startswith("file://"), block)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto((out / "search.html").as_uri())
    page.fill("#q", "pgvector")
    results = page.locator("#search-results li")
    results.first.wait_for()
    assert results.count() == 1
    assert "Use PostgreSQL" in results.first.inner_text()

    results.first.locator("a").click()
    page.wait_for_url("**/adr/0002.html")
    page.locator(".record-body a", has_text="Use MySQL").first.click()
    page.wait_for_url("**/adr/0001.html")
    assert page.locator("h1").inner_text() == "Use MySQL"

    page.goto((out / "index.html").as_uri())
    page.select_option("#filter-status", "accepted")
    assert page.locator("#decisions tbody tr:not([hidden])").count() == 1
    assert outside == [] and errors == []
