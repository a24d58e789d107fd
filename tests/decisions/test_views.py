import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.decisions.models import Decision

from ..factories import add_member, make_decision, make_matrix, make_user, make_workspace


def test_it_sends_strangers_to_sign_in(client, workspace):
    make_decision(workspace)
    assert client.get("/").status_code == 302
    response = client.get("/w/team/1/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_lists_the_log_of_my_workspaces_only(author_client, workspace):
    make_decision(workspace, "Ours")
    make_decision(make_workspace("other"), "Theirs")
    response = author_client.get("/")
    assert response.status_code == 200
    assert b"Ours" in response.content and b"Theirs" not in response.content
    assert b"ADR-0001" in response.content


def test_it_hides_another_workspaces_decision(author_client):
    make_decision(make_workspace("other"), "Theirs")
    assert author_client.get("/w/other/1/").status_code == 404
    assert author_client.post("/w/other/1.md").status_code == 404
    assert author_client.post("/w/other/1.pdf").status_code == 404


def test_it_rejects_post_on_pages(author_client, workspace):
    make_decision(workspace)
    assert author_client.post("/w/team/1/").status_code == 405
    assert author_client.post("/").status_code == 405


def test_it_shows_the_decision_with_matrix_and_open_considerations(client, example):
    client.login(username="demo", password="demo")
    number = Decision.objects.get(title="Decide on API Gateway Requirements").number
    html = client.get(f"/w/platform/{number}/").content.decode()
    for text in [
        "REST API",
        "HTTP API",
        "WebSocket API",
        "IAM authentication",
        "Amazon Cognito",
        "API key",
        "Lambda authorizer",
    ]:
        assert text in html
    assert "<table>" in html and "◐ partial: through a JWT authorizer" in html
    assert "2 open considerations" in html
    assert html.count('<div class="admonition warning">') == 2
    assert 'href="/w/platform/5/"' in html  # the see-also relation links to the WAF decision


def page_queries(client, decision) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(decision.get_absolute_url()).status_code == 200
    return len(queries)


def test_its_page_makes_as_many_queries_for_30_rows_as_for_3(author_client, workspace):
    small, large = make_decision(workspace, "Small"), make_decision(workspace, "Large")
    make_matrix(small, scenarios=3, options=3)
    make_matrix(large, scenarios=30, options=30)
    assert page_queries(author_client, small) == page_queries(author_client, large)


def test_its_log_makes_as_many_queries_for_30_decisions_as_for_3(author_client, workspace):
    for i in range(3):
        make_decision(workspace, f"D{i}")
    with CaptureQueriesContext(connection) as few:
        author_client.get("/")
    for i in range(27):
        make_decision(workspace, f"E{i}")
    with CaptureQueriesContext(connection) as many:
        author_client.get("/")
    assert len(few) == len(many)


@pytest.mark.parametrize("role", ["viewer", "author", "reviewer", "admin"])
def test_it_lets_every_member_read(client, workspace, role):
    user = make_user(f"m-{role}")
    add_member(workspace, user, role)
    make_decision(workspace)
    client.force_login(user)
    assert client.get("/w/team/1/").status_code == 200
    assert client.post("/w/team/1.md").status_code == 200
