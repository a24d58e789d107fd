"""The log's owner filter finds an owner by what the log shows: their name."""

import pytest
from django.urls import reverse

from ..factories import make_decision, make_team


@pytest.fixture
def owners(workspace):
    people = make_team(workspace, demo="admin", dan="author", ada="author")
    for username, first, last in [("demo", "Dana", "Demo"), ("dan", "Dan", "Smith")]:
        people[username].first_name, people[username].last_name = first, last
        people[username].save()
    make_decision(workspace, "Dana's", owner=people["demo"])
    make_decision(workspace, "Dan's", owner=people["dan"])
    make_decision(workspace, "Ada's", owner=people["ada"])
    return people


def titles(client, owner: str) -> list[str]:
    page = client.get(reverse("decisions:log"), {"owner": owner}).content.decode()
    return sorted(t for t in ["Dana&#x27;s", "Dan&#x27;s", "Ada&#x27;s"] if f">{t}</a>" in page)


@pytest.mark.parametrize(
    "typed", ["Dana Demo", "dana demo", "Dana", "Demo", "demo", " Dana  Demo "]
)
def test_it_finds_the_owner_by_what_the_log_shows(client, owners, typed):
    client.force_login(owners["demo"])

    assert titles(client, typed) == ["Dana&#x27;s"]


def test_it_needs_every_word_to_match(client, owners):
    client.force_login(owners["demo"])

    assert titles(client, "Dana Smith") == []
    assert titles(client, "Dan Smith") == ["Dan&#x27;s"]


def test_it_finds_by_the_start_of_a_name(client, owners):
    client.force_login(owners["demo"])

    assert titles(client, "Dan") == ["Dan&#x27;s", "Dana&#x27;s"]


def test_it_finds_an_owner_without_a_name_by_username(client, owners):
    client.force_login(owners["demo"])

    assert titles(client, "ada") == ["Ada&#x27;s"]


def test_it_survives_a_pasted_paragraph(client, owners, django_assert_max_num_queries):
    client.force_login(owners["demo"])

    with django_assert_max_num_queries(20):
        response = client.get(reverse("decisions:log"), {"owner": "Dana " * 29})

    assert response.status_code == 200
