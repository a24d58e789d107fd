"""`export_adrs --format board-pack`: the same pack as the web's, written to one file."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from apps.activity.models import AuditEvent

from ..factories import make_decision, make_workspace
from .pdfs import attachment_hashes, content_lines, footer, outline, texts


@pytest.fixture
def example(db, example_once):
    """The example, loaded once for the module: each test here leaves it as it found it."""
    return example_once


def test_it_writes_the_board_pack_of_a_workspace(example, tmp_path):
    out = tmp_path / "packs" / "platform.pdf"

    call_command(
        "export_adrs", "--format", "board-pack", "--out", str(out), "--workspace", "platform"
    )

    pdf = out.read_bytes()
    pages = texts(pdf)
    assert "Platform Architecture: 6 decisions for sign-off" in pages[0]
    assert [title[:8] for title, _, _ in outline(pdf)] == [f"ADR-{n:04d}" for n in range(1, 7)]
    assert footer(pages[-1])[1:] == (len(pages), len(pages))
    assert len(attachment_hashes(pdf)) == 3
    event = AuditEvent.objects.filter(verb="exported").latest("pk")
    assert event.data["via"] == "command line" and event.data["decisions"] == 6


def test_it_packs_only_the_decisions_of_a_status(example, tmp_path):
    out = tmp_path / "accepted.pdf"

    call_command("export_adrs", "--format", "board-pack", "--out", str(out), "--status", "accepted")

    pdf = out.read_bytes()
    assert [title[:8] for title, _, _ in outline(pdf)] == ["ADR-0001", "ADR-0004"]
    assert "2 decisions for sign-off" in content_lines(texts(pdf)[0])[1]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--workspace", "nope"], "No workspace with the slug 'nope'"),
        (["--workspace", "platform", "--status", "deprecated"], "has no deprecated decisions"),
        (["--workspace", "platform", "--out-is-a-folder"], "is one PDF file"),
    ],
)
def test_it_refuses_what_it_cannot_pack_and_writes_nothing(example, tmp_path, arguments, message):
    out = tmp_path / "pack.pdf"
    if "--out-is-a-folder" in arguments:
        arguments = [a for a in arguments if a != "--out-is-a-folder"]
        out = tmp_path
    with pytest.raises(CommandError, match=message):
        call_command("export_adrs", "--format", "board-pack", "--out", str(out), *arguments)
    assert list(tmp_path.iterdir()) == []


def test_it_asks_which_workspace_when_there_are_several(example, tmp_path):
    make_decision(make_workspace("other"), "Elsewhere")

    with pytest.raises(CommandError, match="--workspace SLUG"):
        call_command("export_adrs", "--format", "board-pack", "--out", str(tmp_path / "p.pdf"))


def test_it_takes_status_for_board_packs_only(example, tmp_path):
    with pytest.raises(CommandError, match="use --format board-pack"):
        call_command("export_adrs", "--out", str(tmp_path), "--status", "accepted")
