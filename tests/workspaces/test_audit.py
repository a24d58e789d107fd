import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.activity.events import record_event

from ..factories import make_decision

HX = {"HTTP_HX_REQUEST": "true"}


def audit_url(**query):
    url = reverse("workspaces:audit", args=["team"])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_it_shows_the_workspace_events_to_admins(client, team):
    decision = make_decision(team["workspace"], "Use PostgreSQL")
    record_event(team["workspace"], team["rita"], "approved", target=decision, sha256="ab12")
    client.force_login(team["adam"])

    page = client.get(audit_url()).content.decode()

    assert "approved" in page and "rita" in page and "sha256: ab12" in page
    assert decision.get_absolute_url() in page


@pytest.mark.parametrize("name", ["vic", "ada", "rita"])
def test_it_is_for_admins_only(client, team, name):
    client.force_login(team[name])

    assert client.get(audit_url()).status_code == 403


def test_it_hides_other_workspaces(client, team):
    client.force_login(team["olga"])

    assert client.get(audit_url()).status_code == 404


def test_it_filters_by_verb(client, team):
    record_event(team["workspace"], team["rita"], "approved", target="the first")
    record_event(team["workspace"], team["ada"], "exported", target="the second")
    client.force_login(team["adam"])

    page = client.get(audit_url(verb="exported")).content.decode()

    assert "the second" in page and "the first" not in page


def test_it_pages_newest_first(client, team):
    for n in range(55):
        record_event(team["workspace"], None, "exported", target=f"item-{n:02}")
    client.force_login(team["adam"])

    first = client.get(audit_url()).content.decode()
    second = client.get(audit_url(page=2)).content.decode()

    assert "item-54" in first and "item-05" in first and "item-04" not in first
    assert "item-04" in second and "Page 2 of 2" in second


def test_it_swaps_the_events_for_htmx(client, team):
    client.force_login(team["adam"])

    body = client.get(audit_url(verb="approved"), **HX).content.decode()

    assert body.lstrip().startswith('<div id="events">')


def test_it_reads_in_constant_queries(client, team):
    client.force_login(team["adam"])
    decision = make_decision(team["workspace"])
    record_event(team["workspace"], team["ada"], "exported", target=decision)
    with CaptureQueriesContext(connection) as few:
        client.get(audit_url())
    for n in range(20):
        record_event(
            team["workspace"],
            team["ada"],
            f"verb{n}",
            target=make_decision(team["workspace"], f"D{n}"),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(audit_url())

    assert len(many) == len(few)


def test_it_rejects_post(client, team):
    client.force_login(team["adam"])

    assert client.post(audit_url()).status_code == 405
