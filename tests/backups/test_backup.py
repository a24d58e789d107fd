"""dump_workspace / restore_workspace: a workspace leaves as one archive and comes back the same."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from apps.accounts.management.commands.load_example import load_example
from apps.backups.archive import ArchiveError, dump_workspace, restore_workspace
from apps.decisions.models import Decision, Scenario, SourceFile
from apps.imports.importing import apply, make_plan
from apps.reviews.models import Contribution, Thread, submit_for_review
from apps.versions.models import Version, sha256_of
from apps.workspaces.models import Workspace

from ..conftest import built_once, migrated_postgres_name, migrated_sqlite_file
from ..factories import add_member, make_user
from ..reviews.helpers import draft, open_round

ROOT = Path(settings.BASE_DIR)


def files_of(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def comparable(archive: bytes) -> dict[str, object]:
    """What must survive a round trip: every file but the manifest, the restore's own event out."""
    files = files_of(archive)
    files.pop("manifest.json")
    audit = [e for e in json.loads(files.pop("audit.json")) if e["verb"] != "workspace_restored"]
    return {**files, "audit.json": audit}


def rewrite(archive: bytes, changes: dict[str, bytes], fix_manifest: bool) -> bytes:
    import hashlib

    files = files_of(archive)
    files.update(changes)
    if fix_manifest:
        manifest = json.loads(files["manifest.json"])
        for name in changes:
            manifest["files"][name] = hashlib.sha256(changes[name]).hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def shared_history(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module (0.4 s): each test leaves it as it found it but for what its
    own transaction rolls back (a restore, a renamed slug)."""
    with built_once(django_db_blocker, tmp_path_factory.mktemp("history")):
        yield build_history()


@pytest.fixture
def history(db, shared_history):
    return shared_history


def build_history() -> Workspace:
    """The example workspace plus a decision with two accepted versions, a thread and a change
    request."""
    workspace = load_example(password="pw")
    add_member(workspace, ada := make_user("ada", first_name="Ada"), "author")
    add_member(workspace, rita := make_user("rita", email="rita@example.org"), "reviewer")
    decision = draft(workspace, ada, title="Choose an API style")
    submit_for_review(decision, by=ada, reviewers=[rita])
    thread = Thread.start(decision, "scenarios", rita, "Is **HTTP API** cheaper?")
    thread.reply(ada, "Yes, <b>by half</b>.")
    thread.resolve(ada)
    open_round(decision).request_changes(rita, "Name the WAF owner.")
    open_round(decision).approve(rita)
    decision.refresh_from_db()
    decision.move_to("draft", by=ada, reason="A note for v2.")
    Scenario.objects.filter(decision=decision, position=0).update(description="Edited for v2.")
    submit_for_review(decision, by=ada, reviewers=[rita])
    open_round(decision).approve(rita)
    decision.refresh_from_db()
    assert decision.status == "accepted" and decision.versions.count() == 2
    return workspace


def test_it_gives_back_the_same_workspace_after_a_restore(history):
    archive = dump_workspace(history)
    hashes = list(
        Version.objects.filter(decision__workspace=history).values_list("sha256", flat=True)
    )
    # Make room for the restore under the same slug: the original stays, renamed.
    Workspace.objects.filter(pk=history.pk).update(slug="original")

    restored = restore_workspace(archive)

    assert restored.workspace.slug == history.slug
    # Two here, and v1 of each of the three decisions the example takes through review.
    assert restored.versions == len(hashes) == 5
    assert comparable(dump_workspace(restored.workspace)) == comparable(archive)
    again = Version.objects.filter(decision__workspace=restored.workspace)
    assert sorted(again.values_list("sha256", flat=True)) == sorted(hashes)
    assert all(sha256_of(v.markdown) == v.sha256 for v in again)
    thread = Thread.objects.get(decision__workspace=restored.workspace)
    assert [c.body for c in thread.comments.all()] == [
        "Is **HTTP API** cheaper?",
        "Yes, <b>by half</b>.",
    ]
    assert thread.resolved_at is not None


def test_it_keeps_each_version_markdown_byte_for_byte_in_the_archive(history):
    files = files_of(dump_workspace(history))
    for version in Version.objects.filter(decision__workspace=history):
        assert files[f"versions/{version.file_stem}.md"] == version.markdown.encode()
    decisions = json.loads(files["decisions.json"])
    assert [d["number"] for d in decisions] == sorted(d["number"] for d in decisions)
    gateway = next(d for d in decisions if d["record"]["title"] == "Choose an API style")
    assert [c["to"] for c in gateway["status_changes"]][-1] == "accepted"
    assert gateway["review_rounds"][0]["change_requests"][0]["note"] == "Name the WAF owner."


def test_it_refuses_an_archive_whose_version_was_changed(history):
    archive = dump_workspace(history)
    Workspace.objects.filter(pk=history.pk).update(slug="original")
    name = next(n for n in files_of(archive) if n.startswith("versions/"))
    tampered = files_of(archive)[name].replace(b"Edited for v2.", b"Edited later.")
    tampered = tampered if tampered != files_of(archive)[name] else tampered + b"\nextra\n"
    before = Decision.objects.count()

    with pytest.raises(ArchiveError, match="does not match the manifest"):
        restore_workspace(rewrite(archive, {name: tampered}, fix_manifest=False))
    with pytest.raises(ArchiveError, match="does not give its recorded hash"):
        restore_workspace(rewrite(archive, {name: tampered}, fix_manifest=True))

    assert Decision.objects.count() == before
    assert not Workspace.objects.filter(slug=history.slug).exists()


def test_it_refuses_to_restore_over_an_existing_workspace(history):
    archive = dump_workspace(history)

    with pytest.raises(ArchiveError, match="already exists"):
        restore_workspace(archive)


def test_it_refuses_what_is_not_a_backup(db, tmp_path):
    path = tmp_path / "notes.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")

    with pytest.raises(CommandError, match="Not an Adroit workspace backup.*Nothing was restored"):
        call_command("restore_workspace", str(path))


def _fresh_database() -> tuple[dict[str, str], callable]:
    """An empty database of the same kind as the test database, and how to drop it."""
    env = {**os.environ, "DEBUG": "0", "PYTHONPATH": str(ROOT)}
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        name = f"adroit_restore_{uuid.uuid4().hex[:10]}"
        host, port, user = params["HOST"] or "127.0.0.1", params["PORT"] or 5432, params["USER"]
        dsn = f"host={host} port={port} user={user} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as admin:
            # From the migrated copy the test database was made from (tests/conftest.py), when
            # there is one: the round trip's migrate then has nothing left to apply.
            template = migrated_postgres_name()
            kept = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            from_copy = f' TEMPLATE "{template}"' if kept.fetchone() else ""
            admin.execute(f'CREATE DATABASE "{name}"{from_copy}')

        def drop() -> None:
            with psycopg.connect(dsn, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        url = f"postgres://{user}@{host}:{port}/{name}"
        return {**env, "DATABASE_URL": url}, drop
    path = ROOT / f".restore-{uuid.uuid4().hex[:10]}.sqlite3"
    if migrated_sqlite_file().exists():
        shutil.copyfile(migrated_sqlite_file(), path)
    return {**env, "DATABASE_URL": f"sqlite:///{path}"}, lambda: path.unlink(missing_ok=True)


def round_trip_elsewhere(workspace: Workspace, tmp_path: Path, *setup: list[str]) -> tuple:
    """The workspace's archive, and the archive an empty instance of the same database kind
    writes after restoring it (`setup`: manage.py commands run there before the restore)."""
    source, again = tmp_path / "source.zip", tmp_path / "again.zip"
    call_command("dump_workspace", workspace.slug, str(source))
    env, drop = _fresh_database()
    manage = [sys.executable, str(ROOT / "manage.py")]
    try:
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            *setup,
            ["restore_workspace", str(source)],
            ["dump_workspace", workspace.slug, str(again)],
        ):
            done = subprocess.run(
                manage + command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, done.stderr
    finally:
        drop()
    return source.read_bytes(), again.read_bytes()


def test_it_restores_into_an_empty_instance_with_the_same_hashes(history, tmp_path):
    source, again = round_trip_elsewhere(history, tmp_path)

    assert comparable(again) == comparable(source)
    original = json.loads(files_of(source)["decisions.json"])
    assert [v["sha256"] for d in original for v in d["versions"]] == [
        v["sha256"] for d in json.loads(files_of(again)["decisions.json"]) for v in d["versions"]
    ]


def test_it_keeps_imported_files_and_the_authors_of_a_pending_text(history):
    ada = history.memberships.get(user__username="ada").user
    text = b"# 9. Use Kafka\n\nDate: 2019-03-04\n\n## Status\n\nAccepted\n\n## Context\n\nEvents.\n"
    plan = make_plan([("doc/adr/0009-use-kafka.md", text)], history)
    (imported,) = apply(plan, history, by=ada)
    pending = draft(history, ada, title="Pick a queue")
    Contribution.record(pending, ada)
    archive = dump_workspace(history)
    Workspace.objects.filter(pk=history.pk).update(slug="original")

    restored = restore_workspace(archive).workspace

    again = Decision.objects.get(workspace=restored, number=imported.number)
    assert again.status == "elsewhere"
    assert (again.source.path, again.source.text) == (imported.source.path, text.decode())
    kept = SourceFile.objects.get(decision=imported).record
    assert kept and again.source.record == kept
    writers = Contribution.objects.filter(decision__workspace=restored, version=None)
    assert {(c.decision.title, c.user.username) for c in writers} >= {("Pick a queue", "ada")}
    assert comparable(dump_workspace(restored)) == comparable(archive)
