"""Every corpus file survives a round trip: read, write in its own format, read again.

Read the way the import reads (format detected per file), written by the writer of that format,
read again from the export under the name the export gives it: the two records must be equal, and
every word of every source line must be in the export (see `corpus.lost_words`).

Adroit has one MADR writer, MADR 4, so every MADR-family file (MADR 2, 3 and 4, log4brains, and
Backstage-style front matter, which the reader reads as MADR) comes back as MADR 4; Nygard and
adr-tools files come back as Nygard, "Decide on" pages as "Decide on" pages.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
import yaml

from apps.formats.readers import read, read_bytes
from apps.formats.writers import file_name, write

from .corpus import corpus_files, corpus_root, lost_words, words_of

WRITER_FOR = {"madr": "madr", "log4brains": "madr", "nygard": "nygard", "decide-on": "decide-on"}


def _files() -> list:
    try:
        root = corpus_root()
    except RuntimeError as error:
        # Without a corpus the one parameter fails with the reason (`-m "not corpus"` skips it).
        return [pytest.param(error, id="no-corpus")]
    return [
        pytest.param(path, id=f"{path.parent.name}/{path.name}") for path, _ in corpus_files(root)
    ]


def _diff(before: dict, after: dict) -> str:
    lines = [json.dumps(d, indent=1, ensure_ascii=False).splitlines() for d in (before, after)]
    return "\n".join(difflib.unified_diff(*lines, "read", "read again", lineterm="", n=2))


# How the source worded its status and headings, and what it left unsaid, describe the file, not
# the decision: a writer may word them its own way (`Accepted.` -> `accepted`, an H1 where the
# front matter alone gave the title).
SOURCE_WORDING = ("status_text", "unstated", "title_heading", "headings")


def _meaning(record) -> dict:
    return {k: v for k, v in record.to_dict().items() if k not in SOURCE_WORDING}


@pytest.mark.corpus
@pytest.mark.parametrize("path", _files())
def test_it_reads_the_export_of_each_corpus_file_as_the_same_record(path: Path | Exception):
    if isinstance(path, Exception):
        raise path
    source = path.read_bytes()
    first = read_bytes(source, path.name)
    fmt = WRITER_FOR[first.format]
    exported = write(first.record, fmt)
    again = read(exported, file_name(first.record, fmt))

    before, after = _meaning(first.record), _meaning(again.record)
    assert after == before, (
        f"{path.name} ({first.format} -> {fmt}) reads back differently:\n" + _diff(before, after)
    )
    lost = lost_words(source.decode("utf-8-sig"), words_of([exported]))
    assert lost == [], f"{path.name}: words missing from the {fmt} export:\n" + "\n".join(lost)


# What the source said verbatim goes back verbatim only while the record still says the same.

JABREF_STYLE = """\
---
parent: Decision Records
nav_order: 0042
status: proposed
---

# Use a changelog

## Context and Problem Statement

Nobody knows what changed.
"""

ADR_TOOLS_STYLE = """\
# 5. Help comments

Date: 2016-02-13

## Status

Accepted.

Amended by [9. Help scripts](0009-help-scripts.md)

## Context

Help is needed.

## Decision

Write help in comments.
"""


def test_it_writes_the_source_front_matter_back_unchanged():
    record = read(JABREF_STYLE, "0042-use-a-changelog.md").record

    assert write(record, "madr").startswith(JABREF_STYLE.split("\n# ")[0])


def test_it_writes_the_records_status_over_a_stale_front_matter_keeping_its_other_keys():
    record = read(JABREF_STYLE, "0042-use-a-changelog.md").record
    record.status = "accepted"

    exported = write(record, "madr")

    front = yaml.safe_load(exported.split("---")[1])
    assert (front["status"], front["parent"], front["nav_order"]) == (
        "accepted",
        "Decision Records",
        "0042",
    )
    assert read(exported, "0042-use-a-changelog.md").record.status == "accepted"


def test_it_writes_a_status_section_back_as_written():
    record = read(ADR_TOOLS_STYLE, "0005-help-comments.md").record

    assert write(record, "nygard") == ADR_TOOLS_STYLE


def test_it_writes_the_records_status_over_a_stale_status_section_keeping_its_links():
    record = read(ADR_TOOLS_STYLE, "0005-help-comments.md").record
    record.status = "deprecated"

    exported = write(record, "nygard")

    assert "Accepted." not in exported
    assert "## Status\n\nDeprecated\n\nAmended by [9. Help scripts](0009-help-scripts.md)\n" in (
        exported
    )
    again = read(exported, "0005-help-comments.md").record
    assert (again.status, again.relations) == ("deprecated", record.relations)
