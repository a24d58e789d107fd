"""Snippets are cut once per document text and words, and cut again whenever the text changes."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.reviews.models import Thread

from ..factories import make_decision

SNIPPET = re.compile(r'<p class="snippet">(.*?)</p>', re.S)
# What cuts a snippet, on either database.
CUTTING = ("snippet(", "ts_headline")


@pytest.fixture
def member(workspace, author, client):
    client.force_login(author)
    return client


def snippets(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return SNIPPET.findall(response.content.decode())


def test_it_cuts_a_snippet_once_for_the_same_text_and_words(member, workspace):
    make_decision(workspace, "Brokers", context="Kafka carries the orders.")
    first = snippets(member, "/search/?q=kafka")

    with CaptureQueriesContext(connection) as queries:
        again = snippets(member, "/search/?q=kafka")

    assert again == first and "<mark>" in first[0].lower()
    assert not [q for q in queries.captured_queries if any(c in q["sql"] for c in CUTTING)]


def test_it_cuts_the_snippet_of_other_words_again(member, workspace):
    make_decision(workspace, "Brokers", context="Kafka carries the orders.")
    snippets(member, "/search/?q=kafka")

    [snippet] = snippets(member, "/search/?q=orders")

    assert "<mark>orders</mark>" in snippet.lower() and "<mark>kafka" not in snippet.lower()


def test_it_cuts_the_snippet_again_after_the_text_changes(member, workspace):
    decision = make_decision(workspace, "Brokers", context="Kafka carries the orders.")
    assert "orders" in snippets(member, "/search/?q=kafka")[0]

    assert decision.bump_revision(decision.revision, context="Kafka carries the payments.")

    [snippet] = snippets(member, "/search/?q=kafka")
    assert "payments" in snippet and "orders" not in snippet


def test_it_cuts_the_snippet_again_after_a_comment(member, workspace, author):
    # A comment changes the document's text but not the decision's updated_at.
    decision = make_decision(workspace, "Brokers", context="Nothing here yet.")
    Thread.start(decision, "context", author, "Kafka brokers need auditors.")
    [before] = snippets(member, "/search/?q=kafka")
    assert "auditors" in before and "disks" not in before

    Thread.start(decision, "context", author, "Kafka brokers need more disks.")

    [after] = snippets(member, "/search/?q=kafka")
    assert "disks" in after
