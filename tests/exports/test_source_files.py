"""A team's folder goes back as it came: imported files keep their path, dialect and text, an
untouched decision exports byte for byte, an edited one changes only where it was edited."""

from __future__ import annotations

import datetime
import io
import stat
import subprocess
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.decisions.models import Decision, Scenario, ScenarioPoint, SourceFile
from apps.exports.packs import log_zip
from tests.factories import add_member, make_user

# Trailing spaces (a Markdown line break), `-` where the writer puts `*`: the file comes back
# byte for byte, and an edit changes only its own lines.
MADR = """\
---
status: accepted
date: 2024-03-01
---

# Use PostgreSQL

## Context and Problem Statement

We need a database{BREAK}
for the billing service.

## Considered Options

- PostgreSQL
- MySQL

## Decision Outcome

Chosen option: "PostgreSQL", because the team knows it.

## Pros and Cons of the Options

### PostgreSQL

- Good, because the team knows it
- Bad, because it needs tuning

### MySQL

* Good, because it is common
* Bad, because nobody here runs it
""".replace("{BREAK}", "   ")

# No date anywhere: none may be invented. CRLF line ends, as a Windows checkout has them.
NYGARD = (
    "# 2. Record architecture decisions\r\n\r\n## Status\r\n\r\nAccepted\r\n\r\n"
    "## Context\r\n\r\nWe keep forgetting why.\r\n\r\n## Decision\r\n\r\n"
    "We will use ADRs, see [PostgreSQL](../0001-use-postgresql.md).\r\n\r\n"
    "## Consequences\r\n\r\nSome writing.\r\n"
)


@pytest.fixture
def folder(tmp_path):
    source = tmp_path / "adr"
    (source / "notes").mkdir(parents=True)
    (source / "0001-use-postgresql.md").write_text(MADR)
    (source / "notes" / "0002-record-decisions.md").write_bytes(NYGARD.encode())
    return source


def import_folder(folder, slug="team"):
    call_command("import_adrs", str(folder), "--workspace", slug, stdout=None)
    return {d.number: d for d in Decision.objects.filter(workspace__slug=slug)}


def export(out, fmt="madr", slug="team"):
    call_command("export_adrs", "--out", str(out), "--workspace", slug, "--format", fmt)


def test_it_keeps_each_files_path_dialect_and_text(db, folder):
    decisions = import_folder(folder)

    sources = {s.path: s for s in SourceFile.objects.all()}
    assert sorted(sources) == ["0001-use-postgresql.md", "notes/0002-record-decisions.md"]
    assert sources["0001-use-postgresql.md"].decision == decisions[1]
    assert sources["0001-use-postgresql.md"].dialect == "madr"
    assert sources["0001-use-postgresql.md"].text == MADR
    assert sources["notes/0002-record-decisions.md"].dialect == "nygard"
    assert sources["notes/0002-record-decisions.md"].text == NYGARD


def test_it_keeps_the_files_date_and_invents_none(db, folder):
    decisions = import_folder(folder)

    assert decisions[1].decided_on == datetime.date(2024, 3, 1)
    assert decisions[1].created_at.date() == datetime.date(2024, 3, 1)
    assert decisions[2].decided_on is None


def test_it_exports_untouched_decisions_as_they_came_at_their_own_paths(db, folder, tmp_path):
    import_folder(folder)
    out = tmp_path / "out"
    export(out, "madr")
    export(tmp_path / "nygard", "nygard")

    assert (out / "0001-use-postgresql.md").read_bytes() == MADR.encode()
    # A Nygard file is not MADR: in a MADR export it is the writer's, at a name of its own.
    assert not (out / "notes").exists()
    assert (tmp_path / "nygard" / "notes" / "0002-record-decisions.md").read_bytes() == (
        NYGARD.encode()
    )
    assert stat.S_IMODE((out / "0001-use-postgresql.md").stat().st_mode) == 0o644


def test_it_writes_the_same_folder_twice(db, folder, tmp_path):
    import_folder(folder)
    export(tmp_path / "one", "nygard")
    export(tmp_path / "two", "nygard")

    def files(root):
        return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert files(tmp_path / "one") == files(tmp_path / "two")


def test_it_rewrites_only_the_edited_scenario(db, folder, tmp_path):
    import_folder(folder)
    mysql = Scenario.objects.get(title="MySQL")
    ScenarioPoint.objects.filter(scenario=mysql, kind="bad").update(text="nobody here knows it")
    out = tmp_path / "out"
    export(out)

    before = MADR.splitlines()
    after = (out / "0001-use-postgresql.md").read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ("* Bad, because nobody here runs it", "* Bad, because nobody here knows it")
    ]


def test_it_leaves_a_teams_own_readme_alone(db, folder, tmp_path):
    import_folder(folder)
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("# Our decisions\n")
    export(out)

    assert (out / "README.md").read_text() == "# Our decisions\n"
    index = (out / "index.md").read_text()
    assert "[Use PostgreSQL](0001-use-postgresql.md)" in index

    (out / "index.md").write_text("# Our index\n")
    export(out)
    assert (out / "index.md").read_text() == "# Our index\n"
    assert sorted(p.name for p in out.glob("*.md")) == [
        "0001-use-postgresql.md",
        "0002-record-architecture-decisions.md",
        "README.md",
        "index.md",
    ]


def test_it_names_a_new_decision_apart_from_an_imported_file(db, workspace, tmp_path):
    ours = Decision.objects.create(workspace=workspace, number=1, title="Use PostgreSQL")
    source = tmp_path / "adr"
    source.mkdir()
    # Number 1 is taken here: the file becomes decision 2 and keeps its name, which is the name
    # decision 1 would be written under.
    (source / "0001-use-postgresql.md").write_text(MADR)
    decisions = import_folder(source)
    assert decisions[2].source.path == "0001-use-postgresql.md"
    out = tmp_path / "out"
    export(out)

    assert (out / "0001-use-postgresql.md").read_text() == MADR
    assert "# Use PostgreSQL" in (out / "0001-use-postgresql-2.md").read_text()
    index = (out / "README.md").read_text()
    assert f"| 0001 | [{ours.title}](0001-use-postgresql-2.md) |" in index
    assert "| 0002 | [Use PostgreSQL](0001-use-postgresql.md) |" in index


def test_it_downloads_an_untouched_import_as_its_file(client, db, folder):
    decisions = import_folder(folder)
    user = make_user("ada")
    add_member(decisions[2].workspace, user, "author")
    client.force_login(user)

    response = client.post(reverse("exports:markdown", args=["team", 2]))

    assert response.status_code == 200
    assert response.content == NYGARD.encode()
    assert 'filename="0002-record-decisions.md"' in response["Content-Disposition"]


def test_it_shows_only_the_edited_lines_in_git(db, folder, tmp_path):
    """The team's checkout: import it, edit one scenario, export over it; git sees one file
    changed, in that scenario's lines."""
    (folder / "notes" / "0002-record-decisions.md").unlink()
    other = MADR.replace("# Use PostgreSQL", "# 2. Use Redis").replace("billing", "cache")
    (folder / "0002-use-redis.md").write_text(other)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(folder)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "ADRs"], check=True)
    decisions = import_folder(folder)
    scenario = Scenario.objects.get(decision=decisions[1], title="PostgreSQL")
    Scenario.objects.filter(pk=scenario.pk).update(description="The default choice.")
    export(folder, "madr")

    def run(*args):
        return subprocess.run([*git, *args], check=True, capture_output=True, text=True).stdout

    assert run("diff", "--name-only").split() == ["0001-use-postgresql.md"]
    diff = run("diff", "-U0", "0001-use-postgresql.md")
    added = [
        line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")
    ]
    removed = [
        line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")
    ]
    assert added and all("default choice" in line or line == "+" for line in added)
    assert removed == []


def test_it_never_writes_outside_the_folder(db, folder, tmp_path):
    import_folder(folder)
    SourceFile.objects.filter(path="0001-use-postgresql.md").update(path="../escape.md")
    out = tmp_path / "out"
    export(out)

    assert not (tmp_path / "escape.md").exists()
    assert (out / "0001-use-postgresql.md").is_file()


def test_the_web_zip_holds_the_same_folder(db, folder, tmp_path):
    import_folder(folder)
    decisions = list(
        Decision.objects.filter(workspace__slug="team").with_record().select_related("source")
    )
    archive = zipfile.ZipFile(io.BytesIO(log_zip(decisions, "nygard", lambda done: None)))

    assert sorted(archive.namelist()) == [
        "0001-use-postgresql.md",
        "README.md",
        "notes/0002-record-decisions.md",
    ]
    assert archive.read("notes/0002-record-decisions.md") == NYGARD.encode()
    assert "](notes/0002-record-decisions.md)" in archive.read("README.md").decode()


def test_the_page_and_the_log_show_the_files_date(client, db, folder):
    decisions = import_folder(folder)
    user = make_user("ada")
    add_member(decisions[1].workspace, user, "viewer")
    client.force_login(user)

    assert "2024-03-01" in client.get(decisions[1].get_absolute_url()).content.decode()
    assert "2024-03-01" in client.get(reverse("decisions:log")).content.decode()
