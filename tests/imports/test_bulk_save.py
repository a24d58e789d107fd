"""Saving an import in bulk gives the same decisions as saving each record alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.decisions.building import save_record
from apps.decisions.models import Decision
from apps.formats.readers import read
from apps.formats.record import AnswerEntry
from apps.imports.saving import in_bulk, save_records
from bench.seed import generate_record

from ..factories import make_workspace


def _records(workspace) -> list:
    decisions = Decision.objects.filter(workspace=workspace).with_record().order_by("number")
    records = [d.to_record() for d in decisions]
    for record in records:
        record.workspace = record.date = ""  # the workspace's slug and the day of saving differ
    return records


def test_it_saves_the_same_records_in_bulk_as_one_by_one(db):
    records = [generate_record(i) for i in range(1, 8)]
    alone, bulk = make_workspace("alone"), make_workspace("bulk")
    for k, record in enumerate(records):
        save_record(alone, record, number=k + 1)

    save_records(bulk, [(r, k + 1) for k, r in enumerate(records)])

    assert _records(bulk) == _records(alone)


def test_it_saves_a_batch_in_fewer_queries_than_records(db):
    def count(n: int, save) -> int:
        workspace = make_workspace(f"w{n}{save.__name__}")
        with CaptureQueriesContext(connection) as queries:
            save(workspace, [(generate_record(i), i + 1) for i in range(n)])
        return len(queries.captured_queries)

    def one_by_one(workspace, items) -> None:
        for record, number in items:
            save_record(workspace, record, number=number)

    # A query per model, split only where the database caps a statement's parameters (SQLite).
    assert count(40, save_records) < 40 < count(40, one_by_one) / 10


def test_it_saves_a_record_with_parts_it_does_not_write_one_by_one(db):
    record = generate_record(1)
    record.answers = [AnswerEntry(question="Public clients?", answer="Yes")]
    assert not in_bulk(record)
    workspace = make_workspace("mixed")

    saved = save_records(workspace, [(generate_record(2), 1), (record, 2)])

    assert [d.number for d in saved] == [1, 2]
    assert saved[1].answers.get().question == "Public clients?"


@pytest.mark.corpus
def test_it_saves_every_corpus_file_as_save_record_does(db):
    corpus = Path(os.environ.get("ADROIT_CORPUS", ""))
    files = sorted(p for p in corpus.rglob("*.md") if p.is_file())[:120]
    if not files:
        pytest.fail("ADROIT_CORPUS names no folder of ADRs")
    records = [read(p.read_text(encoding="utf-8", errors="replace"), p.name).record for p in files]
    alone, bulk = make_workspace("alone"), make_workspace("bulk")
    for k, record in enumerate(records):
        save_record(alone, record, number=k + 1)

    save_records(bulk, [(r, k + 1) for k, r in enumerate(records)])

    assert _records(bulk) == _records(alone)
