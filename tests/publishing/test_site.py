"""The static site: what it holds, and that every link and asset resolves inside its folder."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import zipfile
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.markdown import render_markdown
from apps.decisions import cache
from apps.decisions.building import link
from apps.decisions.models import Decision
from apps.decisions.rendering import record_html
from apps.exports.models import ExportJob
from apps.publishing import site
from apps.publishing.bodies import render_bodies
from apps.publishing.models import SitePage, StoredBody
from apps.publishing.site import _relative_link, site_files, site_zip

from ..factories import make_decision


@pytest.fixture
def log(workspace):
    old = make_decision(workspace, "Use MySQL", status="superseded", context="We need a store.")
    new = make_decision(
        workspace, "Use PostgreSQL", status="accepted", context="JSONB <b>and</b> `pgvector`."
    )
    link(new, old, "supersedes")
    draft = make_decision(workspace, "Choose a queue", context="Kafka or SQS?")
    draft.tags.create(workspace=workspace, name="Messaging")
    return old, new, draft


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src", "action"} and value is not None:
                self.urls.append(value)


def test_it_resolves_every_link_and_asset_inside_its_folder(log, workspace, tmp_path):
    out = tmp_path / "site"
    call_command("export_adrs", format="site", out=out, workspace=workspace.slug, verbosity=0)

    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 8
    checked = 0
    for page in pages:
        parser = Links()
        parser.feed(page.read_text())
        for url in parser.urls:
            parts = urlsplit(url)
            if parts.scheme in {"http", "https", "mailto"}:
                continue  # a link a reader may follow, never loaded by the page itself
            assert not parts.scheme and not parts.netloc, f"{page.name}: {url}"
            if not parts.path:
                continue  # "#anchor"
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_relative_to(out.resolve()), f"{page.name}: {url} leaves the folder"
            assert target.is_file(), f"{page.name}: {url} does not exist"
            checked += 1
    assert checked > 30
    # Nothing loads from elsewhere: the policy of every page allows only the folder itself.
    for page in pages:
        assert "default-src 'none'; script-src 'self'" in page.read_text()


def test_it_shows_each_decision_as_its_page_does(log, workspace):
    old, new, draft = log
    files = site_files(workspace)

    page = files[f"adr/{new.number:04d}.html"].decode()
    assert "<h1>Use PostgreSQL</h1>" in page
    assert "<code>pgvector</code>" in page  # Markdown rendered through the one sanitiser
    assert "<b>and</b>" in page  # raw HTML the sanitiser allows
    assert f'href="{old.number:04d}.html"' in page  # its relation, to the page beside it
    assert 'class="relation-graph"' in page


def test_it_lists_decisions_by_status_and_tag_without_javascript(log, workspace):
    files = site_files(workspace)

    index = files["index.html"].decode()
    assert 'href="status/superseded.html"' in index
    assert 'href="tags/messaging.html"' in index
    messaging = files["tags/messaging.html"].decode()
    assert "Choose a queue" in messaging and "Use MySQL" not in messaging


def test_it_prebuilds_the_search_index(log, workspace):
    files = site_files(workspace)

    entries = json.loads(files["assets/search-index.json"])
    assert {e["title"] for e in entries} == {"Use MySQL", "Use PostgreSQL", "Choose a queue"}
    queue = next(e for e in entries if e["title"] == "Choose a queue")
    assert "Kafka or SQS?" in queue["text"]
    assert queue["tags"] == ["Messaging"]
    script = files["assets/search-index.js"].decode()
    assert script.startswith("window.ADROIT_SEARCH_INDEX = [")


def test_it_escapes_a_hostile_title_everywhere(workspace):
    make_decision(workspace, '<script>alert("x")</script>', status="accepted")

    files = site_files(workspace)

    for name, body in files.items():
        if name.endswith(".html"):
            assert b'<script>alert("x")</script>' not in body, name


def test_it_gives_the_same_bytes_twice(log, workspace):
    assert site_files(workspace) == site_files(workspace)


def test_it_builds_the_zip_on_the_exports_page(
    log, workspace, client, author, django_capture_on_commit_callbacks
):
    client.force_login(author)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/w/{workspace.slug}/exports/start/", {"kind": "zip", "format": "site"}
        )

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert job.state == "done", job.error
    with job.result.open("rb") as stored:
        names = zipfile.ZipFile(io.BytesIO(stored.read())).namelist()
    assert f"{workspace.slug}-site/index.html" in names
    assert f"{workspace.slug}-site/adr/{Decision.objects.first().number:04d}.html" in names


def test_it_offers_the_site_on_the_exports_page(workspace, client, author):
    client.force_login(author)

    page = client.get(f"/w/{workspace.slug}/exports/").content.decode()

    assert re.search(r'<option value="site">Static HTML site</option>', page)


def test_it_refuses_a_format_nobody_registered(workspace, client, author):
    client.force_login(author)

    client.post(f"/w/{workspace.slug}/exports/start/", {"kind": "zip", "format": "../site"})

    assert not ExportJob.objects.exists()


def test_it_puts_the_zip_in_a_folder_of_its_own(log, workspace):
    names = zipfile.ZipFile(io.BytesIO(site_zip(workspace))).namelist()
    assert all(Path(n).parts[0] == f"{workspace.slug}-site" for n in names)


def test_it_renders_each_body_as_the_decision_page_does(log, workspace):
    old, new, draft = log
    files = site_files(workspace)

    record = Decision.objects.with_record().get(pk=new.pk).to_record()
    expected = record_html(record, _relative_link({old.number, new.number, draft.number}))
    assert str(expected) in files[f"adr/{new.number:04d}.html"].decode()


def test_it_renders_a_page_again_only_when_its_decision_changed(log, workspace):
    old, new, draft = log
    site_files(workspace)
    first = set(SitePage.objects.values_list("key", flat=True))

    draft.context = "Kafka, SQS or NATS?"
    draft.save()  # as every edit does: the row's updated_at moves
    files = site_files(workspace)

    now = set(SitePage.objects.values_list("key", flat=True))
    assert len(now) == 3 and len(now - first) == 1  # one new page; the stale one is dropped
    assert "Kafka, SQS or NATS?" in files[f"adr/{draft.number:04d}.html"].decode()


def test_it_renders_a_page_again_when_a_related_decision_is_renamed(log, workspace):
    old, new, draft = log
    site_files(workspace)

    old.title = "Use MariaDB"
    old.save()
    files = site_files(workspace)

    page = files[f"adr/{new.number:04d}.html"].decode()
    assert "Use MariaDB" in page and "Use MySQL" not in page  # its relation, and its graph


def test_it_renders_a_page_again_when_the_workspace_is_renamed(log, workspace):
    site_files(workspace)

    workspace.name = "Payments platform"
    workspace.save()
    files = site_files(workspace)

    page = files[f"adr/{log[0].number:04d}.html"].decode()
    assert f'<p class="ref">{log[0].ref} · Payments platform</p>' in page


def test_it_renders_a_page_kept_longer_than_a_day_again(log, workspace):
    old, new, draft = log
    site_files(workspace)
    # A scenario edited alone, as the admin's own scenario page may, moves no decision row.
    Decision.objects.filter(pk=draft.pk).update(context="Kafka, SQS or NATS?")
    assert (
        "Kafka, SQS or NATS?" not in site_files(workspace)[f"adr/{draft.number:04d}.html"].decode()
    )

    SitePage.objects.update(created_at=timezone.now() - site.KEEP - timedelta(minutes=1))
    files = site_files(workspace)

    assert "Kafka, SQS or NATS?" in files[f"adr/{draft.number:04d}.html"].decode()


def test_it_renders_many_bodies_in_a_process_per_cpu_to_the_same_bytes():
    texts = [f"# Body {i}\n\nText with `code` and <b>bold</b> {i}." for i in range(6)]

    pooled, pids = render_bodies(texts, per_process=3)

    assert len(pids) == 2 and os.getpid() not in pids
    assert pooled == [render_markdown(text) for text in texts]


def test_it_renders_the_bodies_itself_when_a_child_cannot_start(monkeypatch):
    texts = [f"Body {i}, *emphasised*." for i in range(4)]
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")  # no Python to start

    rendered, pids = render_bodies(texts, per_process=2)

    assert pids == {os.getpid()}
    assert rendered == [render_markdown(text) for text in texts]


def test_it_reads_the_same_number_of_queries_for_more_decisions(workspace):
    def build() -> tuple[int, int]:
        SitePage.objects.all().delete()
        counts = []
        for _ in range(2):  # every page rendered, then every page kept
            with CaptureQueriesContext(connection) as queries:
                site_files(workspace)
            counts.append(len(queries))
        return tuple(counts)

    for i in range(3):
        make_decision(workspace, f"Decision {i}", status="accepted", context=f"Text {i}.")
    few = build()
    for i in range(3, 15):
        decision = make_decision(workspace, f"Decision {i}", status="accepted", context="More.")
        decision.tags.create(workspace=workspace, name=f"tag {i}")
    many = build()

    assert many == few, (few, many)


def _stored(decision: Decision) -> StoredBody:
    """The decision's stored body, checked to be the one its current revision is read under."""
    loaded = cache.with_page_key(Decision.objects.filter(pk=decision.pk)).get()
    return StoredBody.objects.get(decision=decision, key=site._body_key(loaded))


def test_it_stores_a_new_decisions_body_when_its_transaction_commits(
    workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = make_decision(workspace, "Use Redis", context="An **in-memory** store.")

    stored = _stored(decision)
    assert "<strong>in-memory</strong>" in stored.html
    assert stored.facts["text"].startswith("Context and Problem Statement An in-memory store.")


def test_it_builds_a_page_from_the_stored_body_without_rendering_it_again(
    workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = make_decision(workspace, "Use Redis", context="An **in-memory** store.")
    stored = _stored(decision)
    # Changed behind the app's back, so that the page shows which body it was built from.
    StoredBody.objects.filter(pk=stored.pk).update(html=stored.html.replace("in-memory", "kept"))

    page = site_files(workspace)[f"adr/{decision.number:04d}.html"].decode()

    assert "<strong>kept</strong>" in page and "in-memory" not in page
    assert StoredBody.objects.get().pk == stored.pk


@pytest.mark.db_tasks
def test_it_stores_bodies_in_the_background_not_in_the_saving_request(
    workspace, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from apps.publishing.tasks import store_site_bodies

    with django_capture_on_commit_callbacks(execute=True):
        first = make_decision(workspace, "Use Redis", context="A store.")
        second = make_decision(workspace, "Use Kafka", context="A log.")

    assert not StoredBody.objects.exists()
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("store_site_bodies")
    assert queued.args_kwargs["args"] == [sorted([first.pk, second.pk])]
    store_site_bodies.call(*queued.args_kwargs["args"])  # what the worker runs
    assert _stored(first).html and _stored(second).html


def test_it_stores_the_bodies_of_decisions_an_import_creates_in_bulk(
    workspace, django_capture_on_commit_callbacks
):
    from apps.formats.record import Record
    from apps.imports.saving import save_records

    records = [(Record(title=f"Use store {n}", context=f"Store **{n}**."), n) for n in (1, 2)]
    with django_capture_on_commit_callbacks(execute=True):
        made = save_records(workspace, records)

    assert "<strong>2</strong>" in _stored(made[1]).html
    assert StoredBody.objects.count() == 2


def test_it_stores_the_body_of_a_decision_moved_to_another_status(
    workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = make_decision(workspace, "Use Redis", context="A store.")
    created = _stored(decision)
    with django_capture_on_commit_callbacks(execute=True):
        decision.move_to("in_review")

    assert _stored(decision).pk != created.pk
    assert not StoredBody.objects.filter(pk=created.pk).exists()  # an older revision's body


def test_it_stores_nothing_when_a_save_moves_no_status(
    workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = make_decision(workspace, "Use Redis", context="A store.")
    created = _stored(decision)
    with django_capture_on_commit_callbacks(execute=True):
        decision.context = "A faster store."
        decision.save()

    assert list(StoredBody.objects.values_list("pk", flat=True)) == [created.pk]
    with pytest.raises(StoredBody.DoesNotExist):
        _stored(decision)  # the build renders it


def test_it_builds_the_same_site_from_stored_bodies_as_from_nothing(log, workspace):
    from_nothing = site_files(workspace)
    assert StoredBody.objects.count() == len(log)

    SitePage.objects.all().delete()
    from_stored = site_files(workspace)
    SitePage.objects.all().delete()
    StoredBody.objects.all().delete()

    assert from_stored == from_nothing == site_files(workspace)


def test_it_renders_a_body_again_when_a_related_decision_is_renamed(log, workspace):
    old, new, draft = log
    site_files(workspace)
    kept = _stored(new)

    old.title = "Use MariaDB"
    old.save()
    site_files(workspace)

    assert "Use MariaDB" in _stored(new).html
    assert not StoredBody.objects.filter(pk=kept.pk).exists()  # an older revision's body
