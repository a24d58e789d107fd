"""The log's "due in 30 days / overdue" filter and column, and the same in the API."""

from __future__ import annotations

import pytest

from apps.api.models import ApiToken

from .helpers import check, days, live

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated(people):
    w = people["workspace"]
    return {
        "overdue": live(w, "Overdue one", review_in=-5),
        "soon": live(w, "Due soon", review_in=20),
        "edge": live(w, "Due in thirty", review_in=30),
        "later": live(w, "Later", review_in=31),
        "undated": live(w, "No date", review_in=None),
        "draft": live(w, "A draft", review_in=-5, status="draft"),
        "elsewhere": live(w, "Imported", review_in=10, status="elsewhere"),
    }


def titles(response) -> set[str]:
    page = response.content.decode()
    return {t for t in TITLES if f">{t}</a>" in page}


TITLES = ["Overdue one", "Due soon", "Due in thirty", "Later", "No date", "A draft", "Imported"]


def test_the_log_filters_due_and_overdue(client, people, dated):
    client.force_login(people["vic"])

    due = client.get("/?review=due")
    overdue = client.get("/?review=overdue")

    assert titles(due) == {"Overdue one", "Due soon", "Due in thirty", "Imported"}
    assert titles(overdue) == {"Overdue one"}


def test_the_log_shows_the_review_date_column(client, people, dated):
    client.force_login(people["vic"])

    page = client.get("/").content.decode()

    assert '<th scope="col">Review by</th>' in page
    assert f">{days(-5).isoformat()}</time> <strong>overdue</strong>" in page
    assert f">{days(20).isoformat()}</time></td>" in page


def test_the_log_refuses_an_unknown_review_filter_and_lists_all(client, people, dated):
    client.force_login(people["vic"])

    response = client.get("/?review=soonish")

    assert response.status_code == 200
    assert titles(response) == set(TITLES)


def test_the_api_lists_due_and_overdue_with_their_dates(client, people, dated):
    _, token = ApiToken.issue(people["vic"], "ci")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    due = client.get("/api/decisions/?review=due", **auth).json()
    overdue = client.get("/api/decisions/?review=overdue", **auth).json()

    assert {d["title"]: d["review_by"] for d in due["results"]} == {
        "Overdue one": days(-5).isoformat(),
        "Due soon": days(20).isoformat(),
        "Due in thirty": days(30).isoformat(),
        "Imported": days(10).isoformat(),
    }
    assert [d["title"] for d in overdue["results"]] == ["Overdue one"]
    bad = client.get("/api/decisions/?review=soonish", **auth)
    assert bad.status_code == 400 and "review" in bad.json()["fields"]


def test_the_api_says_a_decision_needs_attention_and_lists_its_checks(client, people, dated):
    decision = dated["soon"]
    check(decision, "No public bucket", state="failed", note="two are public")
    _, token = ApiToken.issue(people["vic"], "ci")

    body = client.get(
        f"/api/decisions/team/{decision.number}/", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()

    assert body["needs_attention"] is True
    assert body["review_by"] == days(20).isoformat()
    assert body["record"]["confirmation_items"][0]["state"] == "failed"
    assert body["record"]["review_by"] == days(20).isoformat()
