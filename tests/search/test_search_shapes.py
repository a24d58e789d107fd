"""A search's statement is compiled once per shape of its filters; each request sends its own
values (the reader's workspaces, the workspace and statuses picked) as parameters."""

from __future__ import annotations

import re

import pytest
from django.db.models.sql.compiler import SQLCompiler

from ..factories import add_member, make_decision, make_workspace

TITLE = re.compile(r'<p class="result-title"><a href="/w/[^"]+/">ADR-\d{4} ([^<]+)</a>')


def titles(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return sorted(TITLE.findall(response.content.decode()))


@pytest.fixture
def two_workspaces(client, workspace, author):
    make_decision(workspace, "Kafka accepted here", context="kafka", status="accepted")
    make_decision(workspace, "Kafka draft here", context="kafka", status="draft")
    other = make_workspace("other")
    add_member(other, author, "author")
    make_decision(other, "Kafka accepted there", context="kafka", status="accepted")
    make_decision(other, "Kafka draft there", context="kafka", status="draft")
    client.force_login(author)
    return client


def test_it_filters_each_search_of_a_shape_by_its_own_values(two_workspaces):
    client = two_workspaces

    assert titles(client, "/search/?q=kafka&workspace=team&status=accepted") == [
        "Kafka accepted here"
    ]
    assert titles(client, "/search/?q=kafka&workspace=other&status=draft") == ["Kafka draft there"]
    assert titles(client, "/search/?q=kafka&workspace=other&status=accepted") == [
        "Kafka accepted there"
    ]
    assert titles(client, "/search/?q=kafka&status=draft&status=accepted&workspace=team") == [
        "Kafka accepted here",
        "Kafka draft here",
    ]


def test_it_compiles_the_candidates_once_per_shape(two_workspaces, monkeypatch):
    client = two_workspaces
    compiled = []
    as_sql = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        sql, params = as_sql(self, *args, **kwargs)
        compiled.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    titles(client, "/search/?q=kafka&workspace=team&status=accepted")
    compiled.clear()

    assert titles(client, "/search/?q=draft&workspace=other&status=draft") == ["Kafka draft there"]
    assert not [sql for sql in compiled if "c_rank" in sql]
