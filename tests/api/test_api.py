"""The read API: tokens, rights, contents, constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.api.models import ApiToken
from apps.decisions.models import Decision

from ..factories import make_decision, make_team, make_user, make_workspace
from ..reviews.helpers import accepted


@pytest.fixture
def team(workspace):
    people = make_team(workspace, ada="author", rita="reviewer")
    ada, rita = people["ada"], people["rita"]
    decision, version = accepted(workspace, ada, rita, title="Choose an API style")
    make_decision(workspace, "Kafka for events", context="We stream with Kafka.")
    secret = make_workspace("secret")
    make_decision(secret, "Secret Kafka plans")
    _, token = ApiToken.issue(ada, "tests")
    return {"ada": ada, "decision": decision, "version": version, "token": token}


def get(client, url: str, token: str | None = None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(url, headers=headers)


def test_it_refuses_a_missing_wrong_or_revoked_token(client, team):
    assert get(client, "/api/decisions/").status_code == 401
    response = get(client, "/api/decisions/", token="adroit_not-a-token")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="adroit"'
    assert "API token" in response.json()["error"]

    ApiToken.objects.get(user=team["ada"]).revoke()
    assert get(client, "/api/decisions/", token=team["token"]).status_code == 401


def test_it_does_not_take_a_session_for_a_token(client, team):
    client.force_login(team["ada"])
    assert client.get("/api/decisions/").status_code == 401


def test_it_lists_only_the_decisions_of_the_tokens_owner(client, team):
    body = get(client, "/api/decisions/", token=team["token"]).json()

    assert body["count"] == 2
    assert {d["title"] for d in body["results"]} == {"Choose an API style", "Kafka for events"}
    first = body["results"][0]
    assert first["url"].startswith("http://testserver/w/team/")
    assert first["api_url"].startswith("http://testserver/api/decisions/team/")


def test_it_searches_and_filters_like_the_pages(client, team):
    found = get(client, "/api/decisions/?q=kafka", token=team["token"]).json()
    accepted_only = get(client, "/api/decisions/?status=accepted", token=team["token"]).json()
    bad = get(client, "/api/decisions/?since=yesterday", token=team["token"])

    assert [d["title"] for d in found["results"]] == ["Kafka for events"]
    assert [d["title"] for d in accepted_only["results"]] == ["Choose an API style"]
    assert bad.status_code == 400 and "since" in bad.json()["fields"]


def test_it_pages_with_links_that_keep_the_filters(client, team):
    body = get(
        client, "/api/decisions/?page_size=1&status=accepted&status=draft", token=team["token"]
    ).json()

    assert body["pages"] == 2 and body["previous"] is None
    assert body["next"] == (
        "http://testserver/api/decisions/?status=accepted&status=draft&page=2&page_size=1"
    )
    assert get(client, "/api/decisions/?page=9", token=team["token"]).status_code == 404


def test_it_gives_a_decision_with_its_record_and_versions(client, team):
    number = team["decision"].number
    body = get(client, f"/api/decisions/team/{number}/", token=team["token"]).json()
    versions = get(client, f"/api/decisions/team/{number}/versions/", token=team["token"]).json()
    markdown = get(client, f"/api/decisions/team/{number}/versions/1.md", token=team["token"])

    assert body["record"]["title"] == "Choose an API style"
    assert [s["title"] for s in body["record"]["scenarios"]] == ["REST API", "HTTP API"]
    assert versions["results"][0]["sha256"] == team["version"].sha256
    assert markdown["Content-Type"] == "text/markdown; charset=utf-8"
    assert markdown.content == team["version"].markdown.encode()
    assert markdown["ETag"] == f'"{team["version"].sha256}"'


def test_it_refuses_another_workspaces_decisions(client, team):
    secret = Decision.objects.get(workspace__slug="secret")
    for url in [
        f"/api/decisions/secret/{secret.number}/",
        f"/api/decisions/secret/{secret.number}/versions/",
        f"/api/decisions/secret/{secret.number}/versions/1.md",
        "/api/decisions/team/99/",
        "/api/decisions/team/99999999999999999999/",
    ]:
        response = get(client, url, token=team["token"])
        assert response.status_code == 404, url
        assert response.json() == {"error": "No such decision or version here."}
    listed = get(client, "/api/decisions/?workspace=secret", token=team["token"])
    assert listed.status_code == 400  # not one of the owner's workspaces


def test_it_is_read_only(client, team):
    response = client.post("/api/decisions/", headers={"Authorization": f"Bearer {team['token']}"})
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_it_makes_as_many_queries_for_200_decisions_as_for_2(client, team):
    workspace = team["decision"].workspace

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert (
                get(client, "/api/decisions/?page_size=200", token=team["token"]).status_code == 200
            )
        return len(queries)

    count()  # the first use of a token records when it was used
    few = count()
    Decision.objects.bulk_create(
        Decision(workspace=workspace, number=100 + i, title=f"D{i}") for i in range(200)
    )
    assert count() == few


def test_it_shows_a_new_token_once_and_stores_only_its_hash(client, team):
    client.force_login(team["ada"])
    page = client.post("/api/tokens/", {"name": "portal"}).content.decode()
    token = page.split('<code class="token">')[1].split("</code>")[0]

    stored = ApiToken.objects.get(name="portal")
    assert token.startswith("adroit_") and token not in stored.key_hash
    assert get(client, "/api/decisions/", token=token).status_code == 200
    assert token not in client.get("/api/tokens/").content.decode()


def test_it_lets_only_the_owner_revoke_a_token(client, team):
    token = ApiToken.objects.get(user=team["ada"])
    other = make_user("mallory")
    client.force_login(other)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(team["ada"])
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
