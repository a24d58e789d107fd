"""Push and pull against real repositories: a bare remote and an engineer's clone, both made
here with the git command line."""

from __future__ import annotations

import http.server
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.decisions.models import Decision, FreeSection, StatusChange
from apps.publishing.models import Repository, SyncedFile, SyncEvent
from apps.publishing.sync import pull, push
from apps.publishing.tasks import pull_repository

from ..reviews.helpers import accepted
from .gitrepos import changed_paths, git, remote_file, remote_head

NYGARD_1 = "0001-record-architecture-decisions.md"


def accept(workspace, people, capture, title="Decide on API Gateway Requirements"):
    with capture(execute=True):
        return accepted(workspace, people["ada"], people["rita"], title=title)


def test_it_pushes_one_commit_with_only_the_decision_and_the_index_on_accept(
    people, workspace, repository, engineer, remote, django_capture_on_commit_callbacks
):
    pull(repository)
    before = remote_head(remote)

    decision, _version = accept(workspace, people, django_capture_on_commit_callbacks)

    after = remote_head(remote)
    assert git(remote, "rev-parse", f"{after}^").strip() == before  # one commit
    assert changed_paths(remote, before, after) == [
        "docs/adr/0002-decide-on-api-gateway-requirements.md",
        "docs/adr/README.md",
    ]
    log = git(remote, "log", "-1", "--format=%an <%ae>|%s", after).strip()
    assert log == "Rita <rita@example.com>|ADR-0002: Accept Decide on API Gateway Requirements"
    pushed = remote_file(remote, "docs/adr/0002-decide-on-api-gateway-requirements.md")
    assert "status: accepted" in pushed
    assert "[Decide on API Gateway Requirements](0002-decide-on-api-gateway-requirements.md)" in (
        remote_file(remote, "docs/adr/README.md")
    )
    # Eve's own file is untouched, byte for byte.
    assert remote_file(remote, f"docs/adr/{NYGARD_1}") == engineer.read(NYGARD_1)


def test_it_pushes_nothing_when_git_already_has_every_file(repository, engineer, remote):
    pull(repository)
    before = remote_head(remote)

    outcome = push(repository, None)

    assert outcome.pushed == []
    assert remote_head(remote) == before


def test_it_brings_an_engineers_new_file_in_as_a_decision(repository, engineer, workspace):
    outcome = pull(repository)

    decision = Decision.objects.get(workspace=workspace, number=1)
    assert outcome.new == 1
    assert decision.title == "Record architecture decisions"
    assert decision.status == "elsewhere"  # accepted by another process, never by review here
    event = SyncEvent.objects.get(kind="new")
    assert event.author == "Eve Engineer <eve@example.com>"
    assert event.commit == remote_head(engineer.remote)


def test_it_makes_a_file_changed_in_git_a_draft_with_the_commit_in_its_history(
    repository, engineer, workspace, people
):
    pull(repository)
    people["root"].email = "eve@example.com"  # Eve has an account here: the change is hers
    people["root"].save()
    engineer.write(NYGARD_1, engineer.read(NYGARD_1).replace("We will use ADRs.", "We use MADR."))
    commit = engineer.commit("Say which template")
    engineer.push()

    outcome = pull(repository)

    decision = Decision.objects.get(workspace=workspace, number=1)
    assert outcome.updated == 1
    assert decision.status == "draft"
    assert "We use MADR." in decision.to_record().rationale + decision.to_record().overview + str(
        decision.to_record().to_dict()
    )
    change = StatusChange.objects.filter(decision=decision).latest("at")
    assert change.to_status == "draft"
    assert change.by == people["root"]
    assert commit[:10] in change.reason
    # Untouched since, it exports as git has it: the next push changes nothing.
    assert push(repository, None).pushed == []


def test_it_makes_a_file_changed_on_both_sides_a_draft_with_both_texts(
    repository, engineer, workspace
):
    pull(repository)
    decision = Decision.objects.get(workspace=workspace, number=1)
    Decision.objects.filter(pk=decision.pk).update(context="Adroit's own context.")
    engineer.write(NYGARD_1, engineer.read(NYGARD_1).replace("We need to", "Eve's words: we"))
    engineer.commit("Reword the context")
    engineer.push()

    outcome = pull(repository)

    decision.refresh_from_db()
    assert outcome.conflicts == 1
    assert decision.status == "draft"
    assert decision.context == "Adroit's own context."  # ours kept
    section = FreeSection.objects.get(decision=decision, heading__startswith="Changed in git")
    assert "Eve's words: we" in section.body  # theirs beside it
    event = SyncEvent.objects.get(kind="conflict")
    assert "Adroit's own context." in event.ours
    assert "Eve's words: we" in event.theirs


def test_it_pulls_and_pushes_again_when_the_remote_moved(
    people, workspace, repository, engineer, remote, django_capture_on_commit_callbacks
):
    pull(repository)
    # Eve's next ADR waits on a side branch; the remote's hook moves main to it while Adroit's
    # push is being received, once: the branch moved under the push.
    engineer.write("0003-use-postgresql.md", "# 3. Use PostgreSQL\n\n## Status\n\nAccepted\n")
    eves = engineer.commit("Add ADR 3")
    git(engineer.path, "push", "--quiet", "origin", "HEAD:refs/heads/eve-wip")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        'if [ ! -e "$GIT_DIR/moved" ]; then\n'
        '  touch "$GIT_DIR/moved"\n'
        "  env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main refs/heads/eve-wip\n"
        "fi\n"
    )
    hook.chmod(0o755)

    decision, _ = accept(workspace, people, django_capture_on_commit_callbacks)

    head = remote_head(remote)
    assert git(remote, "rev-parse", f"{head}^").strip() == eves  # on top of Eve's, not forced
    assert "ADR-0002: Accept" in git(remote, "log", "-1", "--format=%s", head)
    assert Decision.objects.filter(workspace=workspace, title="Use PostgreSQL").exists()
    assert repository.events.filter(kind="failed").count() == 0


class Refuses(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), Refuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/team/adr.git"
    server.shutdown()


def test_it_says_the_token_was_refused_and_loses_nothing(workspace, refusing_server, people):
    repo = Repository.objects.create(workspace=workspace, url=refusing_server, branch="main")
    repo.set_credential("token", "wrong-token")
    repo.save()
    decision, _ = accepted(workspace, people["ada"], people["rita"])

    pull_repository.enqueue(repo.pk)

    repo.refresh_from_db()
    assert "refused the credentials" in repo.last_error
    decision.refresh_from_db()
    assert decision.status == "accepted"
    assert repo.events.filter(kind="failed").exists()


def test_it_says_an_unreachable_remote_cannot_be_reached(workspace, tmp_path):
    repo = Repository.objects.create(
        workspace=workspace, url=str(tmp_path / "nowhere.git"), branch="main"
    )

    pull_repository.enqueue(repo.pk)

    repo.refresh_from_db()
    assert "cannot be reached" in repo.last_error


def test_it_keeps_the_token_encrypted_at_rest(workspace, remote):
    repo = Repository(workspace=workspace, url=str(remote))
    repo.set_credential("token", "ghp_secret_value")
    repo.save()

    stored = Repository.objects.values_list("credential", flat=True).get(pk=repo.pk)
    assert "ghp_secret_value" not in stored
    assert Repository.objects.get(pk=repo.pk).auth().token == "ghp_secret_value"


def test_it_lists_a_file_removed_in_git_and_keeps_its_decision(repository, engineer, workspace):
    pull(repository)
    (engineer.path / "docs" / "adr" / NYGARD_1).unlink()
    engineer.commit("Remove ADR 1")
    engineer.push()

    outcome = pull(repository)

    assert outcome.removed == 1
    assert Decision.objects.filter(workspace=workspace, number=1).exists()
    assert not SyncedFile.objects.filter(path=NYGARD_1).exists()


def test_it_runs_one_sync_of_a_repository_at_a_time(repository, engineer, workspace):
    assert repository.claim()  # another worker is syncing it

    pull_repository.enqueue(repository.pk)

    repository.refresh_from_db()
    assert "Another sync" in repository.last_error
    assert not Decision.objects.filter(workspace=workspace).exists()  # nothing imported twice
    repository.release()
    pull_repository.enqueue(repository.pk)
    assert Decision.objects.filter(workspace=workspace).count() == 1


def test_it_takes_over_a_claim_whose_worker_died(repository):
    Repository.objects.filter(pk=repository.pk).update(
        syncing_since=timezone.now() - timedelta(hours=1)
    )

    assert repository.claim()


def test_it_makes_the_branch_of_an_empty_repository_on_the_first_push(
    people, workspace, repository, remote, django_capture_on_commit_callbacks
):
    accept(workspace, people, django_capture_on_commit_callbacks, title="Use PostgreSQL")

    files = git(remote, "ls-tree", "-r", "--name-only", "main").split()
    assert files == ["docs/adr/0001-use-postgresql.md", "docs/adr/README.md"]
