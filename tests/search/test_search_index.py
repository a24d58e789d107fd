"""Search by index on both databases: odd input never breaks it, common words stop at a cap."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from apps.decisions.models import Decision
from apps.search.index import index_decisions
from apps.search.query import CANDIDATES, fts_query

from ..factories import make_decision


@pytest.fixture
def member(workspace, author, client):
    client.force_login(author)
    return client


ROW = re.compile(r'<a href="/w/[^"]+/">(ADR-\d{4})')


def results(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


@pytest.mark.parametrize(
    "q",
    ['"', '"unclosed phrase', "NEAR(kafka", "kafka*", "AND", "OR NOT", "-", "^kafka", "a:b", "({["],
)
def test_it_reads_search_syntax_and_stray_operators_as_words(member, workspace, q):
    make_decision(workspace, "Kafka for events", context="We stream events near real time.")

    response = member.get("/search/", {"q": q})

    assert response.status_code == 200


def test_it_finds_a_phrase_and_leaves_out_a_word(member, workspace):
    make_decision(workspace, "Streams", context="We use event sourcing for orders.")
    make_decision(workspace, "Sourcing", context="Event data goes to a sourcing vendor.")
    make_decision(workspace, "Kafka", context="Event sourcing on Kafka.")

    assert sorted(results(member, '/search/?q="event+sourcing"')) == ["ADR-0001", "ADR-0003"]
    assert results(member, '/search/?q="event+sourcing"+-kafka') == ["ADR-0001"]


def test_it_writes_every_term_quoted_for_fts5():
    expected = '("kafka" AND "event sourcing") NOT "vault"'
    assert fts_query('kafka "event sourcing" -vault') == expected
    assert fts_query('"" - -kafka') == ""
    assert fts_query('say "hi') == '"say" AND "hi"'


def test_it_finds_a_document_changed_after_it_was_indexed(member, workspace, author):
    decision = make_decision(workspace, "Edge", context="We use nginx.")
    assert results(member, "/search/?q=nginx") == ["ADR-0001"]

    assert decision.bump_revision(decision.revision, context="We use envoy.")

    assert results(member, "/search/?q=nginx") == []
    assert results(member, "/search/?q=envoy") == ["ADR-0001"]


def test_it_forgets_a_deleted_decision(member, workspace):
    decision = make_decision(workspace, "Edge", context="We use traefik.")
    assert results(member, "/search/?q=traefik") == ["ADR-0001"]

    Decision.objects.filter(pk=decision.pk).delete()

    assert results(member, "/search/?q=traefik") == []


def test_it_ranks_at_most_the_cap_and_says_more_than(member, workspace):
    made = Decision.objects.bulk_create(
        Decision(workspace=workspace, number=i + 1, title=f"Kafka topic {i}", context="kafka")
        for i in range(CANDIDATES + 20)
    )
    index_decisions(d.pk for d in made)

    page = member.get("/search/?q=kafka").content.decode()

    assert f"More than {CANDIDATES} decisions match" in page
    assert f"{CANDIDATES + 1} decisions" in page  # the pager counts the ranked candidates


@pytest.mark.django_db
def test_it_keeps_the_index_the_search_reads_on_each_database():
    """Run on both databases, each checking its own index (CI skips nothing)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT attstorage FROM pg_attribute "
                "WHERE attrelid = 'search_searchdocument'::regclass AND attname = 'vector'"
            )
            # MAIN: ranking reads each candidate's vector from its row, not from TOAST.
            assert cursor.fetchone() == ("m",)
        else:
            # A migration that remakes the documents' table drops these, and FTS5 silently goes
            # stale.
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            triggers = {name for (name,) in cursor.fetchall()}
            assert {"search_fts_delete", "search_fts_insert", "search_fts_update"} <= triggers
