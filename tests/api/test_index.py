"""/api/ answers with what the API offers, not with the debug 404."""

import json

from django.urls import reverse

from apps.api.openapi import description


def test_it_lists_every_endpoint_of_the_description(client, db):
    response = client.get("/api/")

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    index = json.loads(response.content)
    urls = {e["url"] for e in index["endpoints"]}
    assert urls == {f"http://testserver/api{path}" for path in description("/api/")["paths"]}
    assert index["links"]["openapi"] == "http://testserver" + reverse("api:openapi")
    assert index["links"]["tokens"] == "http://testserver" + reverse("api:tokens")
    assert "Bearer" in index["authentication"]


def test_it_follows_its_own_links(client, db):
    index = json.loads(client.get("/api/").content)

    assert client.get(index["links"]["openapi"]).status_code == 200
    listing = next(e for e in index["endpoints"] if e["url"].endswith("/api/decisions/"))
    # Without a token, the endpoint itself answers (401), it is not a 404.
    assert client.get(listing["url"]).status_code == 401


def test_it_refuses_writes(client, db):
    assert client.post("/api/").status_code == 405
