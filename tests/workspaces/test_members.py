import pytest
from django.core import mail
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


def test_it_adds_an_existing_user_by_username(client, team):
    make_user("nina")
    client.force_login(team["adam"])

    response = client.post(members_url(), {"who": "nina", "role": "reviewer"}, follow=True)

    assert "Added nina as reviewer." in response.content.decode()
    assert Membership.objects.get(user__username="nina").role == "reviewer"
    event = AuditEvent.objects.get(verb="member_added")
    assert event.actor == team["adam"] and event.target_label == "nina"


def test_it_adds_an_existing_user_by_email(client, team):
    make_user("nina", email="Nina@Example.com")
    client.force_login(team["adam"])

    client.post(members_url(), {"who": "nina@example.com", "role": "author"})

    assert Membership.objects.get(user__username="nina").role == "author"


def test_it_invites_a_new_address_with_a_password_link(client, team):
    client.force_login(team["adam"])

    response = client.post(members_url(), {"who": "new.person@example.com", "role": "viewer"})

    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.person@example.com")
    assert membership.role == "viewer" and not membership.user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.com"]
    assert "Team" in mail.outbox[0].subject
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    # The link sets the password (it redirects once to hide the token from the page's referrers).
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(path, follow=True)
    assert "Choose a new password" in page.content.decode()


def test_it_says_why_it_cannot_add_an_unknown_name(client, team):
    client.force_login(team["adam"])

    response = client.post(members_url(), {"who": "nobody", "role": "viewer"})

    assert response.status_code == 400
    assert "No account has that username or email" in response.content.decode()
    assert 'value="nobody"' in response.content.decode()


def test_it_refuses_to_add_someone_twice(client, team):
    client.force_login(team["adam"])

    response = client.post(members_url(), {"who": "rita", "role": "viewer"})

    assert response.status_code == 400 and "rita is already a member." in response.content.decode()


@pytest.mark.parametrize("name", ["vic", "ada", "rita"])
def test_it_lets_only_admins_manage_members(client, team, name):
    client.force_login(team[name])

    assert client.post(members_url(), {"who": "olga", "role": "admin"}).status_code == 403
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
