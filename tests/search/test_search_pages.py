"""The search page's pages: one statement ranks, counts and reads a page, on both databases."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.decisions.models import Decision
from apps.search.index import index_decisions
from apps.search.query import CANDIDATES
from apps.search.views import PER_PAGE

from ..factories import add_member, make_decision, make_user, make_workspace


@pytest.fixture
def member(workspace, author, client):
    client.force_login(author)
    return client


TITLE = re.compile(r'<p class="result-title"><a href="/w/[^"]+/">ADR-\d{4} ([^<]+)</a>')


def titles(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return TITLE.findall(response.content.decode())


def _many(workspace, count: int) -> None:
    made = Decision.objects.bulk_create(
        Decision(workspace=workspace, number=i + 1, title=f"Kafka plan {i + 1}", context="kafka")
        for i in range(count)
    )
    index_decisions(d.pk for d in made)


def test_it_pages_the_ranked_results_without_repeating_or_losing_one(member, workspace):
    _many(workspace, PER_PAGE + 5)

    first = titles(member, "/search/?q=kafka")
    second = titles(member, "/search/?q=kafka&page=2")

    assert len(first) == PER_PAGE and len(second) == 5
    assert sorted(first + second) == sorted(f"Kafka plan {i + 1}" for i in range(PER_PAGE + 5))
    page = member.get("/search/?q=kafka&page=2").content.decode()
    assert f"Page 2 of 2 · {PER_PAGE + 5} decisions" in page


def test_it_shows_the_last_page_for_a_page_past_it(member, workspace):
    _many(workspace, PER_PAGE + 5)

    assert titles(member, "/search/?q=kafka&page=9") == titles(member, "/search/?q=kafka&page=2")
    assert len(titles(member, "/search/?q=kafka&page=nine")) == PER_PAGE


def test_it_says_nothing_matches(member, workspace):
    make_decision(workspace, "Kafka")

    page = member.get("/search/?q=zookeeper").content.decode()

    assert "No decision matches “zookeeper”" in page


def test_it_ranks_counts_and_reads_the_page_in_one_statement(member, workspace):
    _many(workspace, CANDIDATES + 20)
    member.get("/search/?q=kafka")  # the documents are current from here on

    with CaptureQueriesContext(connection) as queries:
        page = member.get("/search/?q=kafka").content.decode()

    searches = [q["sql"] for q in queries.captured_queries if "COUNT(*) OVER ()" in q["sql"]]
    assert len(searches) == 1
    assert f"More than {CANDIDATES} decisions match" in page
    # Every other query is the frame's (session, user, workspaces, unread count) and the
    # freshness check; the snippets were cut by the first search. On PostgreSQL the planner
    # reads the matches through the GIN index without being told to (migration 0006).
    assert not [q for q in queries.captured_queries if "search_fts" in q["sql"]][1:]
    assert not [q for q in queries.captured_queries if "set_config" in q["sql"]]
    assert len(queries.captured_queries) <= 6


def test_it_shows_a_changed_title_and_snippet_after_the_row_was_cached(member, workspace):
    decision = make_decision(workspace, "Kafka for events", context="We stream events.")
    assert titles(member, "/search/?q=kafka") == ["Kafka for events"]

    assert decision.bump_revision(decision.revision, title="Kafka for all events")

    assert titles(member, "/search/?q=kafka") == ["Kafka for all events"]
    page = member.get("/search/?q=stream").content.decode()
    assert "<mark>stream</mark>" in page.lower()


def test_it_never_shows_another_workspaces_title_or_snippet(client, workspace, author):
    make_decision(workspace, "Kafka secret plan", context="The kafka cluster password rotation.")
    elsewhere = make_workspace("elsewhere")
    make_decision(elsewhere, "Kafka for billing", context="Kafka here too.")
    sam = make_user("sam")
    add_member(elsewhere, sam, "viewer")
    client.force_login(author)
    titles(client, "/search/?q=kafka")  # the author's search caches the author's rows
    client.force_login(sam)

    page = client.get("/search/?q=kafka").content.decode()

    assert TITLE.findall(page) == ["Kafka for billing"]
    assert "secret" not in page.lower() and "password" not in page.lower()
