"""Search ranks a bounded set: the first matches the index finds among the reader's decisions.

The cap (CANDIDATES) is set to 2 here, so three decisions are "many".
"""

from __future__ import annotations

import re

import pytest

from apps.search import query, views

from ..factories import add_member, make_decision, make_user, make_workspace


@pytest.fixture(autouse=True)
def two_candidates(monkeypatch):
    monkeypatch.setattr(query, "CANDIDATES", 2)
    monkeypatch.setattr(views, "CANDIDATES", 2)  # the page's "more than" names it


def found(client, url: str) -> list[str]:
    return re.findall(
        r'<p class="result-title"><a href="/w/[^"]+/">ADR-\d{4} ([^<]+)</a>',
        client.get(url).content.decode(),
    )


def test_it_finds_the_readers_decisions_however_many_others_match(client, workspace, author):
    for i in range(3):
        make_decision(workspace, f"Kafka plan {i}", context="Kafka everywhere.")
    elsewhere = make_workspace("elsewhere")
    make_decision(elsewhere, "Kafka for billing", context="Kafka here too.")
    sam = make_user("sam")
    add_member(elsewhere, sam, "viewer")
    client.force_login(sam)

    # The rights are in the candidate query: the others' matches never take its places.
    assert found(client, "/search/?q=kafka") == ["Kafka for billing"]


def test_it_ranks_at_most_the_cap_and_says_there_are_more(client, workspace, author):
    for i in range(4):
        make_decision(workspace, f"Kafka plan {i}", context="Kafka everywhere.")
    client.force_login(author)

    page = client.get("/search/?q=kafka").content.decode()

    # The cap is listed; one more is read only to know that there are more.
    assert len(found(client, "/search/?q=kafka")) == 2
    assert "More than 2 decisions match" in page
