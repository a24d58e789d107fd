"""Push and pull over SSH with a deploy key, against a real sshd started by the test: the key
kept encrypted, the server's host key trusted on first use and pinned from then on."""

from __future__ import annotations

import pytest

from apps.decisions.models import Decision
from apps.publishing.models import Repository
from apps.publishing.tasks import pull_repository

from ..reviews.helpers import accepted
from .gitrepos import changed_paths, remote_file, remote_head
from .sshd import Sshd, keygen

DECISION = "docs/adr/0002-decide-on-api-gateway-requirements.md"


@pytest.fixture
def keys(tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir()
    return {
        "deploy": keygen(folder / "deploy", "adroit deploy key"),
        "stranger": keygen(folder / "stranger", "not authorised"),
        "host": keygen(folder / "host", "the server"),
        "impostor": keygen(folder / "impostor", "another server"),
    }


@pytest.fixture
def sshd(tmp_path, keys):
    folder = tmp_path / "sshd"
    folder.mkdir()
    server = Sshd(folder, keys["deploy"].with_suffix(".pub"))
    server.start(keys["host"])
    yield server
    server.stop()


def over_ssh(workspace, sshd, remote, key) -> Repository:
    repo = Repository.objects.create(
        workspace=workspace, url=sshd.url(remote), branch="main", folder="docs/adr"
    )
    repo.set_credential(Repository.Credential.SSH_KEY, key.read_text())
    repo.save()
    return repo


def host_key_of(key) -> str:
    """The key part of a public key file ("ssh-ed25519 AAAA..."), as known_hosts lines hold it."""
    return " ".join(key.with_suffix(".pub").read_text().split()[:2])


def test_it_keeps_the_deploy_key_encrypted_at_rest(workspace, sshd, remote, keys):
    repo = over_ssh(workspace, sshd, remote, keys["deploy"])

    stored = Repository.objects.values_list("credential", flat=True).get(pk=repo.pk)
    assert "PRIVATE KEY" not in stored and keys["deploy"].read_text().split()[4] not in stored
    assert repo.auth().ssh_key.strip() == keys["deploy"].read_text().strip()


def test_it_pushes_an_accepted_decision_over_ssh(
    workspace, people, sshd, remote, engineer, keys, django_capture_on_commit_callbacks
):
    repo = over_ssh(workspace, sshd, remote, keys["deploy"])
    pull_repository.enqueue(repo.pk)
    before = remote_head(remote)

    with django_capture_on_commit_callbacks(execute=True):
        accepted(
            workspace, people["ada"], people["rita"], title="Decide on API Gateway Requirements"
        )

    repo.refresh_from_db()
    assert repo.last_error == ""
    after = remote_head(remote)
    assert changed_paths(remote, before, after) == [DECISION, "docs/adr/README.md"]
    assert "status: accepted" in remote_file(remote, DECISION)


def test_it_pulls_an_engineers_commit_over_ssh(workspace, sshd, remote, engineer, keys):
    repo = over_ssh(workspace, sshd, remote, keys["deploy"])
    pull_repository.enqueue(repo.pk)
    engineer.write("0002-use-postgresql.md", "# 2. Use PostgreSQL\n\n## Status\n\nAccepted\n")
    engineer.commit("Add ADR 2")
    engineer.push()

    pull_repository.enqueue(repo.pk)

    repo.refresh_from_db()
    assert repo.last_error == ""
    assert repo.last_commit == remote_head(remote)
    assert Decision.objects.get(workspace=workspace, number=2).title == "Use PostgreSQL"


def test_it_says_a_wrong_key_was_refused_and_loses_nothing(
    client, workspace, people, sshd, remote, engineer, keys
):
    repo = over_ssh(workspace, sshd, remote, keys["stranger"])
    decision, _ = accepted(workspace, people["ada"], people["rita"])
    before = remote_head(remote)

    pull_repository.enqueue(repo.pk)

    client.force_login(people["root"])
    shown = client.get(f"/w/{workspace.slug}/repository/").content.decode()
    assert "The last sync failed" in shown
    assert "The remote refused the credentials" in shown
    decision.refresh_from_db()
    assert decision.status == "accepted"
    assert remote_head(remote) == before
    assert not Decision.objects.filter(title="Record architecture decisions").exists()


def test_it_records_the_servers_host_key_on_first_use(workspace, sshd, remote, engineer, keys):
    repo = over_ssh(workspace, sshd, remote, keys["deploy"])
    assert repo.known_hosts == ""

    pull_repository.enqueue(repo.pk)

    repo.refresh_from_db()
    assert repo.last_error == ""
    assert repo.known_hosts == f"[127.0.0.1]:{sshd.port} {host_key_of(keys['host'])}"


def test_it_refuses_a_server_showing_another_host_key_and_loses_nothing(
    client, workspace, people, sshd, remote, engineer, keys
):
    repo = over_ssh(workspace, sshd, remote, keys["deploy"])
    pull_repository.enqueue(repo.pk)
    repo.refresh_from_db()
    recorded = repo.known_hosts
    sshd.stop()
    sshd.start(keys["impostor"])  # the same address and port, another key
    engineer.write("0002-use-postgresql.md", "# 2. Use PostgreSQL\n\n## Status\n\nAccepted\n")
    engineer.commit("Add ADR 2")
    engineer.push()

    pull_repository.enqueue(repo.pk)

    repo.refresh_from_db()
    assert "did not show the host key recorded" in repo.last_error
    assert repo.known_hosts == recorded  # still the first server's key
    assert not Decision.objects.filter(workspace=workspace, number=2).exists()
    client.force_login(people["root"])
    shown = client.get(f"/w/{workspace.slug}/repository/").content.decode()
    assert "did not show the host key recorded" in shown


def test_it_connects_to_a_host_key_given_beforehand(workspace, sshd, remote, engineer, keys):
    repo = over_ssh(workspace, sshd, remote, keys["deploy"])
    given = f"[127.0.0.1]:{sshd.port} {host_key_of(keys['host'])}"
    Repository.objects.filter(pk=repo.pk).update(known_hosts=given)

    pull_repository.enqueue(repo.pk)

    repo.refresh_from_db()
    assert repo.last_error == ""
    assert repo.known_hosts == given
    assert Decision.objects.filter(workspace=workspace, number=1).exists()


def test_it_refuses_a_given_host_key_the_server_does_not_have(
    workspace, sshd, remote, engineer, keys
):
    repo = over_ssh(workspace, sshd, remote, keys["deploy"])
    other = f"[127.0.0.1]:{sshd.port} {host_key_of(keys['impostor'])}"
    Repository.objects.filter(pk=repo.pk).update(known_hosts=other)

    pull_repository.enqueue(repo.pk)

    repo.refresh_from_db()
    assert "did not show the host key recorded" in repo.last_error
    assert repo.known_hosts == other  # an admin's key is never replaced by a sync
    assert not Decision.objects.filter(workspace=workspace).exists()


def link(client, workspace, url: str, known_hosts: str):
    return client.post(
        f"/w/{workspace.slug}/repository/",
        {
            "url": url,
            "branch": "main",
            "folder": "docs/adr",
            "format": "madr",
            "credential_kind": "none",
            "known_hosts": known_hosts,
        },
    )


def test_it_forgets_the_host_key_when_the_link_moves_to_another_server(client, workspace, people):
    client.force_login(people["root"])
    pinned = "[git.example.com]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey"
    link(client, workspace, "ssh://git@git.example.com:2222/team/adr.git", pinned)
    assert Repository.objects.get().known_hosts == pinned

    link(client, workspace, "ssh://git@git.other.example/team/adr.git", pinned)

    assert Repository.objects.get().known_hosts == ""


def test_it_refuses_a_host_key_that_is_not_a_known_hosts_line(client, workspace, people):
    client.force_login(people["root"])

    response = link(client, workspace, "ssh://git@git.example.com/team/adr.git", "AAAAC3Nza")

    assert response.status_code == 400
    assert "One known_hosts line per key" in response.content.decode()
    assert not Repository.objects.exists()
