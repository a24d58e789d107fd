"""Export results and pending uploads live in Django's storage, never in rows, and expire.

The storage is a folder of its own per test (tests/conftest.py, `media_root`); production names
a folder (ADROIT_MEDIA_ROOT) or a bucket (AWS_STORAGE_BUCKET_NAME, settings.py).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.activity.models import AuditEvent
from apps.exports.models import ExportJob
from apps.exports.tasks import build, run_export
from apps.imports.models import PendingImport

from ..factories import make_decision, make_user, make_workspace


def finished_zip(workspace, user, **fields) -> ExportJob:
    make_decision(workspace, "Use PostgreSQL", status="accepted")
    job = ExportJob.objects.create(
        workspace=workspace, requested_by=user, kind="zip", format="madr", **fields
    )
    build(job)
    job.refresh_from_db()
    assert job.state == "done", job.error
    return job


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_stores_the_result_as_a_file_not_in_the_row(author_client, workspace, author):
    job = finished_zip(workspace, author)

    assert job.result.name.startswith(f"exports/{workspace.pk}/")
    assert job.result.name.endswith(job.filename)
    on_disk = Path(settings.MEDIA_ROOT) / job.result.name
    assert zipfile.ZipFile(on_disk).namelist()[0].endswith(".md")
    # The row holds a name of a few dozen characters, not the bytes.
    assert ExportJob._meta.get_field("result").get_internal_type() == "FileField"

    response = author_client.post(f"/w/team/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert response["Content-Type"] == "application/zip"
    assert body_of(response) == on_disk.read_bytes()


def test_it_serves_the_file_to_members_of_the_workspace_only(client, workspace, author):
    job = finished_zip(workspace, author)
    other = make_workspace("other")
    stranger = make_user("olga")
    other.memberships.create(user=stranger, role="admin")
    client.force_login(stranger)

    assert client.post(f"/w/team/exports/{job.pk}/download/").status_code in {403, 404}
    # Nor under the other workspace's address, which the stranger may use.
    assert client.post(f"/w/other/exports/{job.pk}/download/").status_code == 404
    assert not AuditEvent.objects.filter(verb="exported").exists()


def test_it_gives_the_storage_no_public_address(author_client, workspace, author):
    job = finished_zip(workspace, author)

    assert author_client.get(f"/media/{job.result.name}").status_code == 404
    assert author_client.get(f"/{job.result.name}").status_code == 404


def test_it_says_the_export_is_gone_when_its_file_is(author_client, workspace, author):
    job = finished_zip(workspace, author)
    default_storage.delete(job.result.name)

    response = author_client.post(f"/w/team/exports/{job.pk}/download/")

    assert response.status_code == 410
    page = response.content.decode()
    assert "This export is no longer kept" in page
    assert "kept 7 days" in page
    assert 'href="/w/team/exports/"' in page
    assert not AuditEvent.objects.filter(verb="exported").exists()


def test_it_expires_old_exports_with_their_files(workspace, author, settings):
    settings.ADROIT_EXPORTS_KEEP_DAYS = 7
    old = finished_zip(workspace, author)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    recent = finished_zip(workspace, author)
    out = io.StringIO()

    call_command("expire_exports", stdout=out)

    assert "Deleted 1 export(s) older than 7 days." in out.getvalue()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not default_storage.exists(old.result.name)
    assert default_storage.exists(recent.result.name)


def test_it_never_expires_a_job_still_waiting_or_running(workspace, author, settings):
    settings.ADROIT_EXPORTS_KEEP_DAYS = 0
    waiting = ExportJob.objects.create(workspace=workspace, requested_by=author, kind="zip")
    running = ExportJob.objects.create(
        workspace=workspace, requested_by=author, kind="zip", state="running"
    )
    lost = ExportJob.objects.create(
        workspace=workspace,
        requested_by=author,
        kind="zip",
        state="running",
        created_at=timezone.now() - timedelta(hours=2),
    )
    done = finished_zip(workspace, author)

    assert ExportJob.objects.expire() == 2

    assert set(ExportJob.objects.values_list("pk", flat=True)) == {waiting.pk, running.pk}
    assert lost.pk and not default_storage.exists(done.result.name)


def test_a_worker_sweeps_expired_exports_after_each_job(workspace, author):
    old = finished_zip(workspace, author)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    job = ExportJob.objects.create(workspace=workspace, requested_by=author, kind="zip")

    run_export.enqueue(job.pk)  # the immediate backend runs it here (tests/conftest.py)

    assert list(ExportJob.objects.values_list("pk", "state")) == [(job.pk, "done")]
    assert not default_storage.exists(old.result.name)


def test_it_deletes_the_files_with_their_workspace(workspace, author):
    job = finished_zip(workspace, author)
    files = [("0001-a.md", b"# 1. A\n")]
    pending = PendingImport.keep(workspace, author, files, "auto", "elsewhere")
    names = [job.result.name, pending.archive.name]
    assert all(default_storage.exists(name) for name in names)

    workspace.delete()

    assert not any(default_storage.exists(name) for name in names)


def test_it_keeps_a_pending_upload_in_storage_until_confirmed(workspace, author):
    files = [("0001-a.md", b"# 1. A\n\nText\n"), ("0002-b.md", "# 2. B \u2014 \u00e9\n".encode())]

    pending = PendingImport.keep(workspace, author, files, "auto", "elsewhere")

    assert pending.archive.name.startswith(f"imports/{workspace.pk}/")
    assert PendingImport.objects.get(pk=pending.pk).files() == files
    name = pending.archive.name
    pending.delete()
    assert not default_storage.exists(name)


def test_it_says_a_lost_upload_is_gone_on_its_preview(author_client, workspace, author):
    files = [("0001-a.md", b"# 1. A\n")]
    pending = PendingImport.keep(workspace, author, files, "auto", "elsewhere")
    default_storage.delete(pending.archive.name)

    response = author_client.get(f"/w/team/import/{pending.pk}/")

    assert response.status_code == 404


def test_it_configures_an_s3_bucket_from_the_environment():
    """With AWS_STORAGE_BUCKET_NAME the default storage is django-storages' S3 backend, private.

    No S3 server runs here: this checks the configuration a deployment gets, not a bucket.
    """
    script = (
        "import django; django.setup();"
        "from django.core.files.storage import storages; s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl, s.location,"
        " s.file_overwrite)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "AWS_STORAGE_BUCKET_NAME": "adroit-files",
        "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000",
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [
        "S3Storage",
        "adroit-files",
        "http://minio.internal:9000",
        "private",
        "adroit",
        "False",
    ]


@pytest.mark.django_db(transaction=True)
def test_it_moves_the_bytes_kept_in_rows_into_storage_when_migrating():
    workspace = make_workspace("team")
    user = make_user("ada")
    executor = MigrationExecutor(connection)
    before = [("exports", "0001_initial"), ("imports", "0003_pending_import_notes")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    pack = b"%PDF-1.7 a board pack"
    job = old.get_model("exports", "ExportJob").objects.create(
        workspace_id=workspace.pk,
        kind="board_pack",
        state="done",
        result=pack,
        filename="team-board-pack.pdf",
    )
    upload = old.get_model("imports", "PendingImport").objects.create(
        workspace_id=workspace.pk, user_id=user.pk, archive=b"PK zip bytes", file_count=1
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = ExportJob.objects.get(pk=job.pk)
    assert moved.result.name.startswith(f"exports/{workspace.pk}/")
    assert moved.result.name.endswith("/team-board-pack.pdf")
    with moved.result.open("rb") as stream:
        assert stream.read() == pack
    with PendingImport.objects.get(pk=upload.pk).archive.open("rb") as stream:
        assert stream.read() == b"PK zip bytes"
