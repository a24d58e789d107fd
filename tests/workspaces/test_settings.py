"""A workspace's admins name the hosts its images may load from; nobody else changes them."""

from __future__ import annotations

import pytest

from apps.activity.models import AuditEvent
from apps.workspaces.models import Workspace

URL = "/w/team/settings/"


def settings_form(**fields) -> dict:
    return {"name": "Team", "description": "", "image_hosts": "", **fields}


def test_it_shows_the_image_hosts_to_an_admin(client, team):
    team["workspace"].image_hosts = "images.example.com"
    team["workspace"].save()
    client.force_login(team["adam"])

    page = client.get(URL).content.decode()

    assert "images.example.com" in page and 'name="image_hosts"' in page


def test_it_saves_the_hosts_one_per_line_lower_case_and_audits_the_change(client, team):
    client.force_login(team["adam"])

    response = client.post(
        URL, settings_form(image_hosts="Images.Example.com  cdn.example.org\nimages.example.com")
    )

    assert response.status_code == 302
    workspace = Workspace.objects.get(slug="team")
    assert workspace.image_host_list == ("images.example.com", "cdn.example.org")
    [event] = AuditEvent.objects.filter(verb="settings_changed")
    assert event.actor == team["adam"]
    assert event.data == {"images": ["images.example.com", "cdn.example.org"]}


@pytest.mark.parametrize(
    "hosts,message",
    [
        ("https://images.example.com/", "is not a host name"),
        ("localhost", "is not a host name"),
        ("testserver.example", "is this site"),
    ],
)
def test_it_refuses_what_is_not_a_host_or_is_this_site(client, team, settings, hosts, message):
    settings.ALLOWED_HOSTS = ["testserver", "testserver.example"]
    client.force_login(team["adam"])

    response = client.post(URL, settings_form(image_hosts=hosts))

    assert response.status_code == 400 and message in response.content.decode()
    assert Workspace.objects.get(slug="team").image_hosts == ""


@pytest.mark.parametrize("who", ["vic", "ada", "rita"])
def test_it_is_for_admins_only(client, team, who):
    client.force_login(team[who])

    assert client.get(URL).status_code == 403
    assert client.post(URL, settings_form(image_hosts="evil.example")).status_code == 403
    assert Workspace.objects.get(slug="team").image_hosts == ""


def test_it_hides_the_workspace_from_outsiders(client, team):
    client.force_login(team["olga"])

    assert client.get(URL).status_code == 404
