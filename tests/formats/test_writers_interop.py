"""Issue 14: exports that log4brains and adr-tools read in full (`make interop` runs the tools)."""

import io
import re
import zipfile

import pytest
from django.core.management import call_command

from apps.exports.models import ExportJob
from apps.formats.readers import read
from apps.formats.record import Record, RelationEntry
from apps.formats.vocabulary import NO_OUTCOME
from apps.formats.writers import write

from ..factories import make_decision

SUCCESSOR = RelationEntry("superseded_by", 4, "Use SQLite", "0004-use-sqlite.md")
AMENDS = RelationEntry("amends", 2, "Keep a log", "0002-keep-a-log.md")
SEE_ALSO = RelationEntry("see_also", 1, "Record decisions", "0001-record-decisions.md")


def _record(**fields) -> Record:
    fields = {
        "title": "Use PostgreSQL",
        "number": 3,
        "status": "accepted",
        "date": "2020-01-02",
        "decision_makers": ["Ann", "Bob"],
        "consulted": ["Cy"],
        "tags": ["storage", "db"],
        "context": "We need a database.",
        "rationale": "It is what we know.",
        **fields,
    }
    return Record(**fields)


def _header(text: str) -> list[str]:
    """The list log4brains reads: the first lines after the title, up to the first blank."""
    return text.split("\n\n")[1].splitlines()


def test_it_writes_the_status_list_log4brains_reads():
    text = write(_record(), "log4brains")
    assert text.startswith("# Use PostgreSQL\n\n")
    assert _header(text) == [
        "- Status: accepted",
        "- Deciders: Ann, Bob",
        "- Consulted: Cy",
        "- Date: 2020-01-02",
        "- Tags: storage, db",
    ]
    assert "---" not in text  # no front matter: log4brains would not find the list after it


@pytest.mark.parametrize(
    ("status", "said"),
    [("draft", "draft"), ("in_review", "proposed"), ("elsewhere", "accepted")],
)
def test_it_says_every_status_in_log4brains_words(status, said):
    # With no status line log4brains shows "accepted": a draft must say it is one.
    assert _header(write(_record(status=status), "log4brains"))[0] == f"- Status: {said}"


def test_it_names_the_successor_by_its_slug_as_log4brains_wants():
    text = write(_record(status="superseded", relations=[SUCCESSOR, SEE_ALSO]), "log4brains")
    assert _header(text)[0] == "- Status: superseded by [0004-use-sqlite](0004-use-sqlite.md)"
    links = text.split("## Links\n\n")[1]
    assert links == "- See also [ADR-0001: Record decisions](0001-record-decisions.md)\n"


def test_it_reads_its_log4brains_export_back_as_the_same_record():
    record = _record(relations=[AMENDS, SEE_ALSO])
    again = read(write(record, "log4brains"), "0003-use-postgresql.md", "log4brains").record
    for name in ("title", "status", "date", "decision_makers", "consulted", "tags", "context"):
        assert getattr(again, name) == getattr(record, name), name
    assert again.relations == record.relations and again.rationale == record.rationale


@pytest.mark.parametrize("fmt", ["madr", "nygard", "log4brains"])
def test_it_invents_no_date_and_no_outcome_sentence(fmt):
    text = write(_record(date="", rationale="We use PostgreSQL."), fmt)
    assert "2026" not in text and not re.search(r"^(- )?Date:", text, re.M)
    assert NO_OUTCOME not in text and "We use PostgreSQL." in text


def _status_section(text: str) -> list[str]:
    body = text.split("## Status\n\n")[1].split("\n## ")[0]
    return body.strip().split("\n\n")


def test_it_writes_every_link_under_status_where_adr_tools_reads_them():
    text = write(_record(relations=[AMENDS, SEE_ALSO]), "nygard")
    assert _status_section(text) == [
        "Accepted",
        "Amends [2. Keep a log](0002-keep-a-log.md)",
        "See also [1. Record decisions](0001-record-decisions.md)",
    ]
    assert "Related Decisions" not in text


def test_it_keeps_people_and_tags_in_the_nygard_export():
    text = write(_record(), "nygard")
    assert text.startswith(
        "# 3. Use PostgreSQL\n\nDate: 2020-01-02\n\nDeciders: Ann, Bob\n\nConsulted: Cy\n\n"
        "Tags: storage, db\n\n## Status\n\nAccepted\n\n"
    )
    again = read(text, "0003-use-postgresql.md", "nygard").record
    assert again.decision_makers == ["Ann", "Bob"] and again.consulted == ["Cy"]
    assert again.tags == ["storage", "db"]


def test_it_adds_missing_links_below_a_status_section_kept_as_written():
    source = (
        "# 3. Use PostgreSQL\n\nDate: 2020-01-02\n\n## Status\n\nAccepted, after a long debate.\n\n"
        "## Context\n\nWe need a database.\n\n## Decision\n\nIt is what we know.\n"
    )
    record = read(source, "0003-use-postgresql.md", "nygard").record
    record.relations.append(AMENDS)
    text = write(record, "nygard")
    assert _status_section(text) == [
        "Accepted, after a long debate.",
        "Amends [2. Keep a log](0002-keep-a-log.md)",
    ]
    assert read(text, "0003-use-postgresql.md", "nygard").record.relations == [AMENDS]


@pytest.mark.django_db
def test_it_exports_a_workspace_for_log4brains(example, tmp_path):
    call_command(
        "export_adrs", "--out", str(tmp_path), "--workspace", "platform", "--format", "log4brains"
    )
    files = sorted(tmp_path.glob("0*.md"))
    assert len(files) == 6
    for path in files:
        assert _header(path.read_text())[0].startswith("- Status: ")


@pytest.mark.django_db
def test_the_web_export_offers_and_zips_log4brains(
    author_client, workspace, django_capture_on_commit_callbacks
):
    make_decision(workspace, "Use PostgreSQL", status="accepted")
    assert b'value="log4brains"' in author_client.get("/w/team/exports/").content
    with django_capture_on_commit_callbacks(execute=True):
        data = {"kind": "zip", "format": "log4brains"}
        assert author_client.post("/w/team/exports/start/", data).status_code == 302
    job = ExportJob.objects.latest("pk")
    response = author_client.post(f"/w/team/exports/{job.pk}/download/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = zipfile.ZipFile(io.BytesIO(body)).read("0001-use-postgresql.md").decode()
    assert _header(text)[0] == "- Status: accepted"
