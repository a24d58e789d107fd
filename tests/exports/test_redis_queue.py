"""Exports on the Redis queue (REDIS_URL set): RQ workers in their own processes, two at once.

These tests use the Redis server at 127.0.0.1:6379 (.ci/run starts it when it is down). Each
test claims a Redis database of its own, so runs side by side (CI runs the suite on SQLite and
PostgreSQL at once) never take each other's jobs. A missing Redis fails the test; it never skips.
"""

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from pypdf import PdfReader
from rq import Queue
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from rq.worker import Worker

from apps.exports.models import ExportJob
from apps.exports.tasks import run_export

from ..factories import add_member, make_decision, make_user, make_workspace

pytestmark = pytest.mark.db_tasks

REDIS = "redis://127.0.0.1:6379"


@pytest.fixture
def redis_url(settings):
    """A Redis database nobody else is using, and the settings that send tasks to it."""
    claims = redis.Redis.from_url(f"{REDIS}/0")
    try:
        claims.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379: start it (`.ci/run` does).")
    for number in range(1, 16):
        key = f"adroit:test-db:{number}"
        if claims.set(key, os.getpid(), nx=True, ex=900):
            break
    else:
        pytest.fail("Every Redis database from 1 to 15 is claimed by another test run.")
    url = f"{REDIS}/{number}"
    redis.Redis.from_url(url).flushdb()
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}
    }
    settings.RQ_QUEUES = {q: {"URL": url, "DEFAULT_TIMEOUT": 600} for q in settings.TASK_QUEUES}
    yield url
    redis.Redis.from_url(url).flushdb()
    claims.delete(key)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def two_workers(redis_url):
    """Two `manage.py worker` processes on the test database, both serving every queue."""
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url, "DEBUG": "0"}
    # The workers store the files where this test (standing for the app servers) reads them.
    env["ADROIT_MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "-v", "0"],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    yield workers
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


@pytest.fixture
def team(transactional_db):
    workspace = make_workspace("team", name="Team Platform")
    owner = make_user("ada")
    add_member(workspace, owner, "admin")
    for n in range(1, 6):
        make_decision(workspace, title=f"Decision {n} for the board", number=n, status="accepted")
    return workspace, owner


def wait_until_finished(jobs: list[ExportJob], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        states = set(
            ExportJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("state", flat=True)
        )
        if states <= {ExportJob.State.DONE, ExportJob.State.FAILED}:
            return
        time.sleep(0.2)
    pytest.fail(f"the workers did not finish the jobs in {seconds} s: {states}")


def test_it_builds_a_board_pack_and_a_zip_on_redis_each_exactly_once(
    client, team, redis_url, two_workers
):
    workspace, owner = team
    client.force_login(owner)
    ids = [str(pk) for pk in workspace.decisions.values_list("pk", flat=True)]
    start = f"/w/{workspace.slug}/exports/start/"
    client.post(start, {"kind": "board_pack", "decisions": ids})
    client.post(start, {"kind": "zip", "format": "madr"})
    jobs = list(ExportJob.objects.order_by("pk"))
    assert [j.kind for j in jobs] == ["board_pack", "zip"]

    wait_until_finished(jobs)

    pack, zipped = (ExportJob.objects.get(pk=j.pk) for j in jobs)
    assert (pack.state, zipped.state) == ("done", "done"), (pack.error, zipped.error)
    pdf = client.post(f"/w/{workspace.slug}/exports/{pack.pk}/download/")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.getvalue())).pages)
    assert "Decision 5 for the board" in text
    archive = zipfile.ZipFile(
        io.BytesIO(client.post(f"/w/{workspace.slug}/exports/{zipped.pk}/download/").getvalue())
    )
    assert len([n for n in archive.namelist() if n.endswith(".md")]) >= 5

    # Each job went through Redis to one of the two workers, and ran there once.
    connection_ = redis.Redis.from_url(redis_url)
    assert len(Worker.all(connection=connection_)) == 2
    finished = []
    for name in settings.TASK_QUEUES:
        queue = Queue(name, connection=connection_)
        assert FailedJobRegistry(queue=queue).get_job_ids() == []
        finished += [queue.fetch_job(i) for i in FinishedJobRegistry(queue=queue).get_job_ids()]
    assert sorted(job.origin for job in finished) == ["default", "packs"]
    assert [len(job.results()) for job in finished] == [1, 1]


def test_it_builds_a_job_delivered_twice_only_once(client, team, redis_url, two_workers):
    workspace, owner = team
    client.force_login(owner)
    client.post(f"/w/{workspace.slug}/exports/start/", {"kind": "zip", "format": "nygard"})
    job = ExportJob.objects.get()
    wait_until_finished([job])
    built = ExportJob.objects.get(pk=job.pk)
    assert built.state == "done"

    # A broker may deliver a task again (its worker died after finishing it, say): the second
    # delivery must find the job taken and leave the finished export as it was.
    run_export.using(queue_name="default").enqueue(job.pk)
    queue = Queue("default", connection=redis.Redis.from_url(redis_url))
    registry = FinishedJobRegistry(queue=queue)
    deadline = time.monotonic() + 60
    while len(registry.get_job_ids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(registry.get_job_ids()) == 2
    again = ExportJob.objects.get(pk=job.pk)
    assert (again.state, again.finished_at, again.filename) == (
        "done",
        built.finished_at,
        built.filename,
    )
