import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.activity.models import AuditEvent
from apps.workspaces.models import Membership

from ..factories import add_member, make_user

HX = {"HTTP_HX_REQUEST": "true"}


def members_url(slug="team"):
    return reverse("workspaces:members", args=[slug])


def role_url(membership):
    return reverse("workspaces:change-role", args=[membership.workspace.slug, membership.pk])


def remove_url(membership):
    return reverse("workspaces:remove", args=[membership.workspace.slug, membership.pk])


def test_it_lists_members_for_every_member_but_forms_only_for_admins(client, team):
    client.force_login(team["vic"])
    page = client.get(members_url()).content.decode()
    assert "adam" in page and "rita" in page and "Add a member" not in page

    client.force_login(team["adam"])
    page = client.get(members_url()).content.decode()
    assert "Add a member" in page and 'name="role"' in page


def test_it_hides_the_workspace_from_outsiders(client, team):
    client.force_login(team["olga"])
    assert client.get(members_url()).status_code == 404


@pytest.mark.parametrize("name", ["vic", "ada", "rita"])
def test_it_lets_only_admins_manage_members(client, team, name):
    client.force_login(team[name])

    invite = reverse("accounts:invite", args=["team"])
    assert client.post(invite, {"email": "olga@example.com", "role": "admin"}).status_code == 403
    assert client.post(role_url(team["vic_membership"]), {"role": "admin"}).status_code == 403
    assert client.post(remove_url(team["vic_membership"])).status_code == 403
    assert not Membership.objects.filter(user=team["olga"], workspace=team["workspace"]).exists()
    assert Membership.objects.get(pk=team["vic_membership"].pk).role == "viewer"


def test_it_changes_a_role(client, team):
    client.force_login(team["adam"])

    client.post(role_url(team["vic_membership"]), {"role": "reviewer"})

    assert Membership.objects.get(pk=team["vic_membership"].pk).role == "reviewer"
    assert AuditEvent.objects.get(verb="role_changed").data == {"old": "viewer", "new": "reviewer"}


def test_it_removes_a_member(client, team):
    client.force_login(team["adam"])

    client.post(remove_url(team["vic_membership"]))

    assert not Membership.objects.filter(pk=team["vic_membership"].pk).exists()
    assert AuditEvent.objects.filter(verb="member_removed").count() == 1


def test_it_keeps_the_last_admin(client, team):
    client.force_login(team["adam"])

    demoted = client.post(role_url(team["adam_membership"]), {"role": "viewer"}, follow=True)
    removed = client.post(remove_url(team["adam_membership"]), follow=True)

    message = "A workspace needs at least one admin"
    assert message in demoted.content.decode() and message in removed.content.decode()
    assert Membership.objects.get(pk=team["adam_membership"].pk).role == "admin"


def test_it_lets_an_admin_step_down_when_another_admin_remains(client, team):
    add_member(team["workspace"], make_user("alex"), "admin")
    client.force_login(team["adam"])

    response = client.post(role_url(team["adam_membership"]), {"role": "author"})

    assert response.status_code == 302
    assert Membership.objects.get(pk=team["adam_membership"].pk).role == "author"


def test_it_will_not_touch_members_of_another_workspace(client, team):
    client.force_login(team["adam"])
    elsewhere = Membership.objects.get(user=team["olga"])

    assert client.post(role_url(elsewhere), {"role": "viewer"}).status_code == 404
    url = reverse("workspaces:remove", args=["team", elsewhere.pk])
    assert client.post(url).status_code == 404
    assert Membership.objects.get(pk=elsewhere.pk).role == "admin"


def test_it_swaps_the_members_region_for_htmx(client, team):
    client.force_login(team["adam"])

    response = client.post(role_url(team["vic_membership"]), {"role": "author"}, **HX)

    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="members">')
    assert "vic is now author." in body and "<html" not in body

    refused = client.post(remove_url(team["adam_membership"]), **HX)
    assert refused.status_code == 400 and "at least one admin" in refused.content.decode()


def test_it_rejects_get_on_changes(client, team):
    client.force_login(team["adam"])

    assert client.get(role_url(team["vic_membership"])).status_code == 405
    assert client.get(remove_url(team["vic_membership"])).status_code == 405
    assert client.put(members_url()).status_code == 405
    assert client.post(members_url(), {"who": "olga", "role": "admin"}).status_code == 405


def test_it_lists_members_in_constant_queries(client, team):
    client.force_login(team["adam"])
    client.get(members_url())  # warm up

    with CaptureQueriesContext(connection) as few:
        client.get(members_url())
    for n in range(10):
        add_member(team["workspace"], make_user(f"extra{n}"), "viewer")
    with CaptureQueriesContext(connection) as many:
        client.get(members_url())

    assert len(many) == len(few)


def test_it_lets_an_admin_leave_and_sends_them_to_their_workspaces(client, team):
    add_member(team["workspace"], make_user("alex"), "admin")
    client.force_login(team["adam"])

    response = client.post(remove_url(team["adam_membership"]), **HX)

    assert response["HX-Redirect"] == reverse("workspaces:workspaces")
    assert not Membership.objects.filter(pk=team["adam_membership"].pk).exists()
