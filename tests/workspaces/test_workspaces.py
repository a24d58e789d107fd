from django.urls import reverse

from apps.activity.models import AuditEvent
from apps.workspaces.models import Membership, Workspace


def test_it_lists_my_workspaces_with_my_role(client, team):
    client.force_login(team["rita"])

    page = client.get(reverse("workspaces:workspaces")).content.decode()

    assert "Team" in page and "Reviewer" in page and "Other" not in page
    assert reverse("workspaces:members", args=["team"]) in page
    assert reverse("workspaces:audit", args=["team"]) not in page


def test_it_creates_a_workspace_with_its_creator_as_admin(client, team):
    client.force_login(team["vic"])

    response = client.post(reverse("workspaces:workspaces"), {"name": "Data Platform", "slug": ""})

    workspace = Workspace.objects.get(slug="data-platform")
    assert response["Location"] == reverse("workspaces:members", args=["data-platform"])
    assert Membership.objects.get(workspace=workspace).user == team["vic"]
    assert Membership.objects.get(workspace=workspace).role == "admin"
    assert AuditEvent.objects.get(workspace=workspace).verb == "workspace_created"


def test_it_refuses_a_taken_link_name_and_keeps_the_input(client, team):
    client.force_login(team["vic"])

    response = client.post(
        reverse("workspaces:workspaces"),
        {"name": "Another team", "slug": "team", "description": "Ours"},
    )

    body = response.content.decode()
    assert response.status_code == 400 and "is taken" in body
    assert 'value="Another team"' in body and "Ours" in body


def test_it_requires_sign_in(client, db):
    response = client.get(reverse("workspaces:workspaces"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
