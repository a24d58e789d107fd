"""Exports in the background: the real task, run by Django's tasks framework.

Here the immediate backend (tests/conftest.py, for every test) runs each task as it is enqueued:
a worker in this process would close the test's database connection.
tests/browser/test_board_pack.py runs the real database worker beside the server.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from apps.decisions.models import Decision
from apps.exports.models import ExportJob
from apps.formats.writers import file_name, write

from ..factories import add_member, make_decision, make_user
from ..reviews.helpers import accepted


def start(client, slug: str, data: dict, capture) -> ExportJob:
    with capture(execute=True):  # the task is enqueued once the job row is committed
        response = client.post(f"/w/{slug}/exports/start/", data)
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == f"/w/{slug}/exports/{job.pk}/"
    return job


def test_it_zips_the_log_in_the_chosen_format(
    author_client, workspace, django_capture_on_commit_callbacks
):
    make_decision(workspace, "Use PostgreSQL", status="accepted")
    make_decision(workspace, "Use Kafka")
    job = start(
        author_client,
        "team",
        {"kind": "zip", "format": "nygard"},
        django_capture_on_commit_callbacks,
    )

    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("done", 2, 2)
    response = author_client.post(f"/w/team/exports/{job.pk}/download/")
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    names = sorted(archive.namelist())
    assert names == ["0001-use-postgresql.md", "0002-use-kafka.md", "README.md"]
    record = Decision.objects.with_record().get(number=2).to_record()
    assert archive.read(file_name(record, "nygard")).decode() == write(record, "nygard")
    assert archive.read("README.md").decode().startswith("# Architecture Decision Records")


def test_it_makes_a_board_pack_with_a_cover_contents_and_approvals(
    client, workspace, django_capture_on_commit_callbacks
):
    ada, rita = (
        make_user("ada", first_name="Ada"),
        make_user("rita", first_name="Rita", last_name="Reviewer"),
    )
    add_member(workspace, ada, "author")
    add_member(workspace, rita, "reviewer")
    signed, version = accepted(workspace, ada, rita, title="Choose an API style")
    draft = make_decision(workspace, "Pick a message broker", context="Kafka or RabbitMQ.")
    client.force_login(ada)
    data = {"kind": "board_pack", "decisions": [signed.pk, draft.pk]}
    job = start(client, "team", data, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.state == "done" and job.filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(client.post(f"/w/team/exports/{job.pk}/download/").getvalue()))
    cover = pdf.pages[0].extract_text()
    assert "Board pack" in cover and "Contents" in cover
    assert "ADR-0001 Choose an API style" in cover and "ADR-0002 Pick a message broker" in cover
    assert f"v1 · {version.sha256[:12]}" in cover and "Rita Reviewer" in cover
    text = "\n".join(page.extract_text() for page in pdf.pages[1:])
    assert version.sha256[:32] in text and "Kafka or RabbitMQ." in text
    bookmarks = [item.title for item in pdf.outline if not isinstance(item, list)]
    assert "ADR-0001 Choose an API style" in bookmarks
    assert "ADR-0002 Pick a message broker" in bookmarks


def test_it_records_a_failure_and_delivers_nothing(
    author_client, workspace, settings, django_capture_on_commit_callbacks
):
    settings.ADROIT_PACK_TIMEOUT = 0.001  # no board pack can be made in time
    decision = make_decision(workspace, "Too slow")
    job = start(
        author_client,
        "team",
        {"kind": "board_pack", "decisions": [decision.pk]},
        django_capture_on_commit_callbacks,
    )

    job.refresh_from_db()
    assert job.state == "failed" and "longer than" in job.error and not job.result
    page = author_client.get(f"/w/team/exports/{job.pk}/").content.decode()
    assert "The export failed" in page
    assert author_client.post(f"/w/team/exports/{job.pk}/download/").status_code == 404


def test_it_keeps_jobs_to_their_workspace(author_client, workspace):
    from ..factories import make_workspace

    other = make_workspace("other")
    job = ExportJob.objects.create(workspace=other, kind="zip")

    assert author_client.get(f"/w/other/exports/{job.pk}/").status_code == 404
    assert author_client.get(f"/w/team/exports/{job.pk}/").status_code == 404


@pytest.mark.parametrize("data", [{"kind": "board_pack"}, {"kind": "zip", "format": "docx"}])
def test_it_asks_again_when_nothing_valid_was_chosen(author_client, workspace, data):
    response = author_client.post("/w/team/exports/start/", data, follow=True)

    assert ExportJob.objects.count() == 0
    assert response.status_code == 200 and b"Choose" in response.content


def test_it_shows_progress_as_an_htmx_region_until_done(author_client, workspace):
    job = ExportJob.objects.create(workspace=workspace, kind="zip", total=4, state="running")
    ExportJob.objects.filter(pk=job.pk).update(done=3)

    fragment = author_client.get(f"/w/team/exports/{job.pk}/", headers={"HX-Request": "true"})

    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="job-progress"')
    assert 'hx-trigger="every 1s"' in html and 'value="3"' in html and "3 of 4 decisions" in html


@pytest.mark.db_tasks
def test_it_queues_board_packs_apart_from_quick_exports(
    author_client, workspace, django_capture_on_commit_callbacks
):
    # Each queue has a worker of its own, so a few long packs never hold up a zip behind them.
    decision = make_decision(workspace, "Use PostgreSQL")
    capture = django_capture_on_commit_callbacks
    start(author_client, "team", {"kind": "zip", "format": "madr"}, capture)
    start(author_client, "team", {"kind": "board_pack", "decisions": [decision.pk]}, capture)

    queued = DBTaskResult.objects.order_by("enqueued_at").values_list("queue_name", flat=True)
    assert list(queued) == ["default", "packs"]
