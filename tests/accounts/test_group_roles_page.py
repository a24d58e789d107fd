"""The workspace admins' page of provider groups and the roles they give (/w/<slug>/groups/)."""

from __future__ import annotations

from django.urls import reverse

from apps.accounts.models import GroupRole
from apps.activity.models import AuditEvent


def url(team) -> str:
    return reverse("accounts:group-roles", args=[team["workspace"].slug])


def test_it_lists_adds_and_changes_a_groups_role(client, team):
    client.force_login(team["adam"])

    client.post(url(team), {"group": " architects ", "role": "author"})
    response = client.post(url(team), {"group": "architects", "role": "reviewer"}, follow=True)

    assert GroupRole.objects.get().role == "reviewer"
    assert "architects" in response.text
    assert "become reviewers here at their next sign-in" in response.text
    assert AuditEvent.objects.filter(verb="group_role_set").count() == 2


def test_it_removes_a_group(client, team):
    mapping = GroupRole.objects.create(group="architects", workspace=team["workspace"])
    client.force_login(team["adam"])

    response = client.post(
        reverse("accounts:remove-group-role", args=[team["workspace"].slug, mapping.pk])
    )

    assert response.status_code == 302
    assert not GroupRole.objects.exists()


def test_it_refuses_an_empty_group(client, team):
    client.force_login(team["adam"])

    response = client.post(url(team), {"group": "  ", "role": "author"})

    assert response.status_code == 400
    assert not GroupRole.objects.exists()


def test_it_is_for_the_workspaces_admins_only(client, team):
    client.force_login(team["rita"])

    assert client.get(url(team)).status_code == 403
    assert client.post(url(team), {"group": "all", "role": "admin"}).status_code == 403
    assert not GroupRole.objects.exists()


def test_it_cannot_remove_another_workspaces_group(client, team):
    other = GroupRole.objects.create(
        group="architects", workspace=team["olga"].memberships.get().workspace
    )
    client.force_login(team["adam"])

    response = client.post(
        reverse("accounts:remove-group-role", args=[team["workspace"].slug, other.pk])
    )

    assert response.status_code == 404
    assert GroupRole.objects.exists()


def test_removing_takes_a_post(client, team):
    mapping = GroupRole.objects.create(group="architects", workspace=team["workspace"])
    client.force_login(team["adam"])

    response = client.get(
        reverse("accounts:remove-group-role", args=[team["workspace"].slug, mapping.pk])
    )

    assert response.status_code == 405
