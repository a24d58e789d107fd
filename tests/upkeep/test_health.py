"""The health view's figures, against counts made here another way, on both databases."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.api.models import ApiToken
from apps.decisions.models import Consideration, Decision, Relation
from apps.upkeep.health import health

from ..factories import make_decision, make_workspace
from .helpers import check, live

pytestmark = pytest.mark.django_db


def seed(workspace, scale: int = 1) -> None:
    """A mixed workspace: every figure has something to count, and something that must not."""
    for n in range(scale):
        overdue = live(workspace, f"Overdue {n}", review_in=-1 - n)
        live(workspace, f"Due today {n}", review_in=0)  # due, not overdue
        elsewhere = live(workspace, f"Imported {n}", review_in=-30, status="elsewhere")
        live(workspace, f"Deprecated {n}", review_in=-30, status="deprecated")
        check(overdue, "Logs", state="failed", note="missing")
        check(overdue, "Backups", state="confirmed")
        check(elsewhere, "Keys rotate", state="failed")
        rejected = make_decision(workspace, f"Rejected {n}", status="rejected")
        check(rejected, "Never mind", state="failed")
        Consideration.objects.create(decision=overdue, title=f"WAF {n}", is_open=True)
        Consideration.objects.create(decision=overdue, title=f"Cost {n}", is_open=False)
        draft = make_decision(workspace, f"Old draft {n}", status="draft")
        fresh = make_decision(workspace, f"Fresh draft {n}", status="draft")
        Consideration.objects.create(decision=draft, title="TODO", is_open=True)
        Decision.objects.filter(pk=draft.pk).update(
            updated_at=timezone.now() - datetime.timedelta(days=31 + n)
        )
        Relation.objects.create(source=fresh, target=overdue, kind="supersedes")
        Relation.objects.create(source=draft, target=overdue, kind="supersedes")
        Relation.objects.create(source=elsewhere, target=rejected, kind="supersedes")


def independent_counts(workspace) -> dict[str, int]:
    """The same figures, read off every row in Python rather than asked of the database."""
    today = timezone.localdate()
    month_ago = timezone.now() - datetime.timedelta(days=30)
    decisions = list(Decision.objects.filter(workspace=workspace))
    live_ids = {d.pk for d in decisions if d.status in ("accepted", "elsewhere")}
    items = [
        i
        for d in decisions
        for i in d.confirmation_items.all()
        if d.pk in live_ids and i.state == "failed"
    ]
    open_ = [c for d in decisions if d.pk in live_ids for c in d.considerations.all() if c.is_open]
    drafting = {d.pk for d in decisions if d.status in ("draft", "in_review")}
    superseded = {
        r.target_id
        for d in decisions
        for r in d.relations.all()
        if r.kind == "supersedes" and d.pk in drafting
    }
    return {
        "overdue_reviews": sum(
            1 for d in decisions if d.pk in live_ids and d.review_by and d.review_by < today
        ),
        "failed_confirmations": len(items),
        "open_considerations": len(open_),
        "idle_drafts": sum(
            1 for d in decisions if d.status == "draft" and d.updated_at < month_ago
        ),
        "superseded_by_draft": len(superseded),
    }


def test_its_figures_equal_counts_made_independently():
    workspace = make_workspace()
    seed(workspace, scale=2)
    seed(make_workspace("other"))  # another workspace's rows count for nothing here

    figures = {f.key: f.count for f in health(workspace)}

    assert figures == independent_counts(workspace)
    assert figures == {
        "overdue_reviews": 4,
        "failed_confirmations": 4,
        "open_considerations": 2,
        "idle_drafts": 2,
        "superseded_by_draft": 2,
    }


def test_each_row_links_to_its_decision(client, people):
    seed(people["workspace"])
    client.force_login(people["vic"])

    page = client.get("/w/team/health/").content.decode()

    overdue = Decision.objects.get(title="Overdue 0")
    assert f'href="/w/team/{overdue.number}/"' in page
    assert "superseded by draft ADR-" in page and "Logs: missing" in page


def test_the_page_asks_the_same_number_of_queries_however_big(client, people):
    client.force_login(people["vic"])
    seed(people["workspace"], scale=1)
    client.get("/w/team/health/")
    with CaptureQueriesContext(connection) as small:
        client.get("/w/team/health/")
    seed(people["workspace"], scale=6)
    with CaptureQueriesContext(connection) as big:
        assert client.get("/w/team/health/").status_code == 200

    assert len(big) == len(small)


def test_outsiders_get_not_found(client, people):
    client.force_login(people["olga"])

    assert client.get("/w/team/health/").status_code == 404


def test_the_api_gives_the_same_figures(client, people):
    seed(people["workspace"], scale=2)
    _, token = ApiToken.issue(people["vic"], "dashboard")

    body = client.get("/api/workspaces/team/health/", HTTP_AUTHORIZATION=f"Bearer {token}").json()

    figures = {key: f["count"] for key, f in body["figures"].items()}
    assert figures == independent_counts(people["workspace"])
    first = body["figures"]["overdue_reviews"]["items"][0]
    assert first["api_url"].endswith(f"/api/decisions/team/{first['number']}/")


def test_the_api_hides_other_workspaces(client, people):
    _, token = ApiToken.issue(people["olga"], "dashboard")

    response = client.get("/api/workspaces/team/health/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 404


def test_only_admins_set_the_review_period(client, people):
    client.force_login(people["rita"])
    assert client.post("/w/team/health/period/", {"review_months": 6}).status_code == 403

    client.force_login(people["adam"])
    response = client.post("/w/team/health/period/", {"review_months": 6})

    assert response.status_code == 302
    people["workspace"].refresh_from_db()
    assert people["workspace"].review_months == 6


@pytest.mark.parametrize("value", ["0", "121", "twelve", "9" * 40, ""])
def test_it_refuses_a_review_period_out_of_range(client, people, value):
    client.force_login(people["adam"])

    response = client.post("/w/team/health/period/", {"review_months": value})

    assert response.status_code == 422
    people["workspace"].refresh_from_db()
    assert people["workspace"].review_months == 12
