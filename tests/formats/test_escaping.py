"""Issue 13, item 4: a decision's title is text wherever other decisions' Markdown names it."""

import pytest
from django.core.management import call_command

from apps.core.markdown import render_markdown
from apps.decisions.building import link
from apps.decisions.models import Decision
from apps.formats.readers import read
from apps.formats.record import Record, ReferenceEntry, RelationEntry
from apps.formats.writers import FORMATS, escape_inline, write
from apps.workspaces.models import Workspace

from ..factories import make_decision

# Closes the link it is written into, then opens a link and bold text of its own.
ATTACK = "Y](https://evil/phish) **NOTICE: revoked** [see"


def _related_to_attack(**fields) -> Record:
    attack = RelationEntry("relates_to", 2, ATTACK, "0002-y-https-evil-phish.md")
    return Record(title="Use PostgreSQL", number=1, relations=[attack], **fields)


@pytest.mark.parametrize("fmt", ["madr", "nygard", "log4brains"])
def test_it_writes_a_related_decisions_title_as_text(fmt):
    html = render_markdown(write(_related_to_attack(), fmt))
    assert 'href="https://evil' not in html and "<strong>" not in html
    assert "NOTICE: revoked" in html


@pytest.mark.parametrize("fmt", ["madr", "nygard", "log4brains"])
def test_it_reads_an_escaped_title_back_as_written(fmt):
    record = _related_to_attack(decision_makers=["Ann *B*"], tags=["_x_"])
    record.title = ATTACK
    record.references = [ReferenceEntry("A [draft] `spec`", "https://example.com/a_(b)")]
    again = read(write(record, fmt), "0001-x.md", fmt).record
    assert again.title == ATTACK
    assert [(r.kind, r.number, r.title) for r in again.relations] == [("relates_to", 2, ATTACK)]
    assert again.decision_makers == ["Ann *B*"] and again.tags == ["_x_"]
    if fmt != "nygard":  # Nygard keeps references as a free section
        assert [r.title for r in again.references] == ["A [draft] `spec`"]


def test_it_leaves_ordinary_titles_as_they_are():
    for title in ("Use PostgreSQL 16 (or later)", "snake_case names", "C# for scripts", "A -> B"):
        assert escape_inline(title) == title
    assert escape_inline("# heading") == r"\# heading"
    assert escape_inline("Ends with #") == r"Ends with \#"
    assert escape_inline("<script> and `code`") == r"\<script> and \`code\`"


@pytest.mark.django_db
def test_it_shows_the_attack_title_as_text_on_the_related_decisions_page(author_client, workspace):
    ours = make_decision(workspace, "Use PostgreSQL")
    link(ours, make_decision(workspace, ATTACK), "relates_to")
    html = author_client.get(f"/w/{workspace.slug}/{ours.number}/").content.decode()
    assert 'href="https://evil' not in html and "<strong>NOTICE" not in html
    assert "NOTICE: revoked" in html
    markdown = author_client.post(f"/w/{workspace.slug}/{ours.number}.md").content.decode()
    assert r"Y\](https://evil/phish) \*\*NOTICE: revoked\*\* \[see" in markdown


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["madr", "nygard", "log4brains"])
def test_it_gets_the_attack_title_back_from_an_export_and_import(workspace, tmp_path, fmt):
    link(make_decision(workspace, "Use PostgreSQL"), make_decision(workspace, ATTACK), "amends")
    call_command(
        "export_adrs", "--out", str(tmp_path), "--workspace", workspace.slug, "--format", fmt
    )
    (tmp_path / "README.md").unlink()
    Workspace.objects.create(slug="again", name="Again")
    call_command("import_adrs", *sorted(tmp_path.glob("*.md")), "--workspace", "again")
    titles = set(Decision.objects.filter(workspace__slug="again").values_list("title", flat=True))
    assert titles == {"Use PostgreSQL", ATTACK}


def test_every_writer_is_listed():
    assert {"madr", "nygard", "log4brains", "decide-on"} <= set(FORMATS)
