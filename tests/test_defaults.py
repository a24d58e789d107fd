"""The suite's defaults (tests/conftest.py: fast_defaults), and the markers that bring back the
real thing for a test that needs it."""

import pytest
from django.contrib.auth.hashers import identify_hasher
from django_tasks_db.models import DBTaskResult

from apps.exports.models import ExportJob
from apps.exports.tasks import run_export

from .factories import PASSWORD, make_user


def test_it_hashes_passwords_fast(db):
    assert identify_hasher(make_user("ada").password).algorithm == "md5"


@pytest.mark.real_hasher
def test_it_stores_passwords_with_the_configured_slow_hasher(db):
    user = make_user("ada")

    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"
    assert user.check_password(PASSWORD)


def test_it_runs_a_task_as_it_is_enqueued(workspace):
    job = ExportJob.objects.create(workspace=workspace, kind="zip")

    run_export.enqueue(job.pk)

    job.refresh_from_db()
    assert job.state == "done" and not DBTaskResult.objects.exists()


@pytest.mark.db_tasks
def test_it_queues_a_task_in_the_database_for_a_worker(workspace):
    job = ExportJob.objects.create(workspace=workspace, kind="zip")

    result = run_export.enqueue(job.pk)

    job.refresh_from_db()
    assert job.state == "queued" and str(DBTaskResult.objects.get().id) == result.id


def test_it_renders_without_recording_templates(client, db):
    response = client.get("/login/")

    assert response.status_code == 200 and response.templates == []


@pytest.mark.template_context
def test_it_records_the_templates_a_response_rendered(client, db):
    response = client.get("/login/")

    assert "registration/login.html" in [t.name for t in response.templates]
