"""Query budgets (issue 17): a page reads a fixed handful of rows, with 10 or 10,000 decisions.

A page read is the session from the cache, the user, the membership, the decision's row with its
cache key, and what the page shows that is not the record (the header's unread count, the review
panel); the record and its HTML come from the cache (apps/decisions/cache.py), built once per
revision. The first read of a revision builds it and may take more.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.decisions.building import link, save_record
from apps.decisions.models import Decision
from apps.search.index import index_decisions
from bench.seed import generate_record


@pytest.fixture(autouse=True)
def sessions_in_a_shared_cache(settings):
    """The budgets hold for a deployment of several servers, which shares its cache (REDIS_URL) and
    reads sessions through it. In this one process the local-memory cache stands in for it;
    without a shared cache, sessions are read from the database, one query more per request."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


# The log: the user, the workspaces, its page with the total, the unread count.
BUDGETS = {"decision page": 8, "log": 4, "markdown download": 4, "markdown file": 4}


def _grow(workspace, count: int) -> None:
    top = Decision.objects.filter(workspace=workspace).count()
    made = Decision.objects.bulk_create(
        Decision(workspace=workspace, number=top + i + 1, title=f"Filler {top + i}")
        for i in range(count)
    )
    index_decisions(d.pk for d in made)


@pytest.fixture
def focus(workspace, author):
    """A full decision (scenarios, options, matrix, tags, people) related to two others."""
    decision = save_record(workspace, generate_record(1), owner=author, number=1)
    for number in (2, 3):
        other = save_record(workspace, generate_record(number), owner=author, number=number)
        link(other, decision, "relates_to")
    return decision


def _counts(client, decision) -> dict[str, int]:
    """Queries of each page read, each read a second time (the first builds the cache)."""
    ref = f"/w/{decision.workspace.slug}/{decision.number}"
    reads = {
        "decision page": ("get", f"{ref}/"),
        "log": ("get", "/"),
        "markdown download": ("get", f"{ref}.md"),
        "markdown file": ("post", f"{ref}.md"),
    }
    counts = {}
    for name, (method, url) in reads.items():
        assert getattr(client, method)(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url)
        assert response.status_code == 200, name
        counts[name] = len(queries.captured_queries)
    return counts


def test_it_reads_each_page_within_its_budget_with_10_and_10000_decisions(
    author_client, workspace, focus
):
    _grow(workspace, 7)
    few = _counts(author_client, focus)
    _grow(workspace, 9_990)
    assert Decision.objects.filter(workspace=workspace).count() == 10_000
    many = _counts(author_client, focus)

    assert many == few
    assert {name: min(count, BUDGETS[name]) for name, count in many.items()} == many, many


def test_it_builds_a_page_once_then_reads_it_from_the_cache(author_client, workspace, focus):
    url = f"/w/{workspace.slug}/{focus.number}/"
    with CaptureQueriesContext(connection) as first:
        author_client.get(url)
    with CaptureQueriesContext(connection) as second:
        author_client.get(url)

    record_tables = (
        'FROM "decisions_scenariopoint"',
        'FROM "decisions_support"',
        'FROM "decisions_consideration"',
    )
    assert any(t in q["sql"] for q in first.captured_queries for t in record_tables)
    assert not any(t in q["sql"] for q in second.captured_queries for t in record_tables)
