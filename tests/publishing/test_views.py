"""The repository page: admins link a repository and pull; nobody else sees the token."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.decisions.models import Decision
from apps.publishing.models import Repository, SyncEvent
from apps.publishing.sync import pull


def page(workspace) -> str:
    return f"/w/{workspace.slug}/repository/"


def test_it_links_a_repository_with_an_encrypted_token(client, people, workspace, remote):
    client.force_login(people["root"])

    response = client.post(
        page(workspace),
        {
            "url": f"file://{remote}",
            "branch": "main",
            "folder": "docs/adr/",
            "format": "madr",
            "credential_kind": "token",
            "secret": "ghp_not_shown_again",
        },
    )

    assert response.status_code == 302
    repo = Repository.objects.get(workspace=workspace)
    assert repo.folder == "docs/adr"
    assert "ghp_not_shown_again" not in repo.credential
    assert "ghp_not_shown_again" not in client.get(page(workspace)).content.decode()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("--upload-pack=touch /tmp/pwned", "cannot start with"),
        ("ext::sh -c touch% /tmp/pwned", "Transport helpers"),
        ("gopher://example.com/repo", "Use an https://"),
    ],
)
def test_it_refuses_a_url_git_would_run_as_a_command(client, people, workspace, url, message):
    client.force_login(people["root"])

    response = client.post(
        page(workspace),
        {"url": url, "branch": "main", "folder": "", "format": "madr", "credential_kind": "none"},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Repository.objects.exists()


def test_it_refuses_a_branch_that_reads_as_an_option(client, people, workspace, remote):
    client.force_login(people["root"])

    response = client.post(
        page(workspace),
        {"url": str(remote), "branch": "--orphan", "format": "madr", "credential_kind": "none"},
    )

    assert response.status_code == 400
    assert not Repository.objects.exists()


def test_it_refuses_a_huge_secret(client, people, workspace, remote):
    client.force_login(people["root"])

    response = client.post(
        page(workspace),
        {
            "url": str(remote),
            "branch": "main",
            "format": "madr",
            "credential_kind": "token",
            "secret": "x" * 50_000,
        },
    )

    assert response.status_code == 400
    assert not Repository.objects.exists()


def test_it_is_for_admins_only(client, people, workspace, repository):
    client.force_login(people["ada"])

    assert client.get(page(workspace)).status_code == 403
    assert client.post(page(workspace) + "pull/").status_code == 403


def test_it_pulls_on_demand_and_shows_what_came_in(
    client, people, workspace, repository, engineer, django_capture_on_commit_callbacks
):
    client.force_login(people["root"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(workspace) + "pull/")

    assert response.status_code == 302
    assert Decision.objects.filter(workspace=workspace, number=1).exists()
    shown = client.get(page(workspace)).content.decode()
    assert "New decision from git" in shown
    assert "0001-record-architecture-decisions.md" in shown


def test_it_shows_a_failure_on_the_page(
    client, people, workspace, tmp_path, django_capture_on_commit_callbacks
):
    Repository.objects.create(workspace=workspace, url=str(tmp_path / "gone.git"))
    client.force_login(people["root"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(workspace) + "pull/")

    shown = client.get(page(workspace)).content.decode()
    assert "The last sync failed" in shown
    assert "cannot be reached" in shown


def test_the_command_syncs_every_repository(repository, engineer, workspace, capsys):
    call_command("sync_repositories")

    assert "1 new decision(s)" in capsys.readouterr().out
    assert SyncEvent.objects.filter(kind="new").count() == 1


def test_the_command_fails_when_a_remote_is_gone(workspace, tmp_path):
    Repository.objects.create(workspace=workspace, url=str(tmp_path / "gone.git"))

    with pytest.raises(CommandError, match="1 repository failed"):
        call_command("sync_repositories")


def test_it_shows_both_texts_of_a_conflict(client, people, workspace, repository, engineer):
    pull(repository)
    Decision.objects.filter(workspace=workspace, number=1).update(context="Adroit's context.")
    name = "0001-record-architecture-decisions.md"
    engineer.write(name, engineer.read(name).replace("We need to", "Eve: we must"))
    engineer.commit("Reword")
    engineer.push()
    pull(repository)
    client.force_login(people["root"])

    shown = client.get(page(workspace)).content.decode()

    assert "Changed on both sides" in shown
    assert "Adroit&#x27;s context." in shown and "Eve: we must" in shown


def test_it_refuses_a_local_path_where_the_server_turns_them_off(
    client, people, workspace, remote, settings
):
    settings.ADROIT_GIT_LOCAL_REMOTES = False
    client.force_login(people["root"])

    response = client.post(
        page(workspace),
        {"url": f"file://{remote}", "branch": "main", "format": "madr", "credential_kind": "none"},
    )

    assert response.status_code == 400
    assert "turned off on this server" in response.content.decode()
