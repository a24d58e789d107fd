"""Search by index on both databases: odd input never breaks it, common words stop at a cap."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
from django.db import connection, transaction

from apps.decisions.models import Decision
from apps.search.index import index_decisions, mark_stale, refresh
from apps.search.models import SearchDocument
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


def test_it_finds_a_decision_changed_or_added_behind_the_apps_back(member, workspace):
    """Raw SQL, as a restore or an admin's fix might run it: the triggers mark the documents."""
    decision = make_decision(workspace, "Edge", context="We use nginx.")
    assert results(member, "/search/?q=nginx") == ["ADR-0001"]
    later = decision.updated_at + dt.timedelta(seconds=1)

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE decisions_decision SET context = %s, updated_at = %s WHERE id = %s",
            ["We use haproxy.", connection.ops.adapt_datetimefield_value(later), decision.pk],
        )
    assert SearchDocument.objects.get(decision=decision).stale
    copy = Decision.objects.get(pk=decision.pk)
    copy.pk, copy.number, copy.title, copy.context = None, 2, "Mesh", "We use linkerd."
    Decision.objects.bulk_create([copy])

    assert results(member, "/search/?q=nginx") == []
    assert results(member, "/search/?q=haproxy") == ["ADR-0001"]
    assert results(member, "/search/?q=linkerd") == ["ADR-0002"]
    assert not SearchDocument.objects.filter(stale=True).exists()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_a_document_stale_when_its_decision_changed_while_it_was_rebuilt(workspace):
    """A rebuild that read the decision before another request's change committed must not file
    the old text as current: the change's trigger holds the document until it commits, and the
    rebuild then re-checks what it wrote."""
    decision = make_decision(workspace, "Edge", context="We use nginx.")
    mark_stale([decision.pk])  # the harder case: nothing left to mark, only to lock
    changed = threading.Event()

    def change():
        try:
            with transaction.atomic():
                assert decision.bump_revision(decision.revision, context="We use envoy.")
                changed.set()
                time.sleep(0.5)  # the rebuild reads the old text now, then waits to write
        finally:
            changed.set()
            connection.close()

    other = threading.Thread(target=change)
    other.start()
    assert changed.wait(30)
    index_decisions([decision.pk])
    other.join(30)

    assert SearchDocument.objects.get(decision=decision).stale
    refresh()
    document = SearchDocument.objects.get(decision=decision)
    assert "envoy" in document.head
    assert not document.stale


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
    pages = CANDIDATES // 20
    assert f"Page 1 of {pages}</span>" in page  # no count beside it: the sentence says it
    # The last page ends at the cap: the one candidate past it, counted, is not listed.
    last = member.get(f"/search/?q=kafka&page={pages + 1}").content.decode()
    assert f"Page {pages} of {pages}</span>" in last
    assert len(ROW.findall(last)) == 20


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
        # The triggers that mark a changed decision's document stale (0008): without them a
        # search after a process's first would miss every change.
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'decisions_decision'::regclass"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'decisions_decision'"
            )
        triggers = {name for (name,) in cursor.fetchall()}
        assert {"search_documents_added", "search_documents_changed"} <= triggers
