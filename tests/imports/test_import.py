"""import_adrs: files, folders and zips in; everything lands or nothing does."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.decisions.models import Decision, Relation
from apps.formats.readers import read
from apps.formats.writers import write
from apps.imports.importing import collect
from apps.workspaces.models import Workspace

from ..factories import make_decision, make_workspace

DATA = Path(__file__).parent.parent / "formats" / "data"


def nygard(number: int, title: str, status: str = "Accepted", extra: str = "") -> bytes:
    return (
        f"# {number}. {title}\n\nDate: 2024-03-0{number}\n\n## Status\n\n{status}\n\n{extra}"
        "## Context\n\nWhy.\n\n## Decision\n\nWhat.\n\n## Consequences\n\nSo.\n"
    ).encode()


@pytest.fixture
def folder(tmp_path) -> Path:
    adr = tmp_path / "adr"
    adr.mkdir()
    (adr / "0001-record-decisions.md").write_bytes(nygard(1, "Record decisions"))
    (adr / "0002-use-mysql.md").write_bytes(
        nygard(
            2,
            "Use MySQL",
            "Superseded",
            "Superseded by [3. Use PostgreSQL](0003-use-postgresql.md)\n\n",
        )
    )
    (adr / "0003-use-postgresql.md").write_bytes(
        nygard(3, "Use PostgreSQL", "Accepted", "Supersedes [2. Use MySQL](0002-use-mysql.md)\n\n")
    )
    (adr / "logo.png").write_bytes(b"\x89PNG")  # not an ADR: left alone
    return adr


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_adrs", *map(str, args), stdout=out, stderr=out)
    return out.getvalue()


def test_it_imports_a_folder_keeping_numbers_and_linking_files(db, folder):
    output = run(folder, "--workspace", "legacy")

    workspace = Workspace.objects.get(slug="legacy")  # created on the way
    decisions = {d.number: d for d in Decision.objects.filter(workspace=workspace)}
    assert sorted(decisions) == [1, 2, 3]
    # Accepted elsewhere, never accepted: only a review here accepts (issue 13).
    assert decisions[2].status == "superseded" and decisions[3].status == "elsewhere"
    relation = Relation.objects.get()
    assert (relation.source, relation.kind, relation.target) == (
        decisions[3],
        "supersedes",
        decisions[2],
    )
    assert "Imported 3 decision(s) and 2 relation(s) into 'legacy'." in output


def test_it_shows_the_plan_and_writes_nothing_on_a_dry_run(db, folder):
    output = run(folder, "--workspace", "legacy", "--dry-run")

    assert (
        "ADR-0003 Use PostgreSQL [nygard, accepted elsewhere] <- 0003-use-postgresql.md" in output
    )
    assert "kept as free text: Consequences" in output
    assert (
        "Dry run: 3 decision(s) and 2 relation(s) would be imported; nothing was written." in output
    )
    assert not Workspace.objects.filter(slug="legacy").exists()


def test_it_renumbers_a_file_whose_number_is_taken_and_says_so(db, folder):
    workspace = make_workspace("legacy")
    make_decision(workspace, "Already here", number=2)

    output = run(folder, "--workspace", "legacy")

    assert "0002-use-mysql.md: number 2 is taken in the workspace; it becomes 4" in output
    mysql = Decision.objects.get(workspace=workspace, title="Use MySQL")
    assert mysql.number == 4
    # The link follows the file, not its old number.
    assert Relation.objects.get(kind="supersedes").target == mysql


def test_it_imports_the_seed_page_with_its_see_also_and_exports_it_back_to_its_style(db):
    run(
        DATA / "decide-on-api-gateway.md",
        DATA / "decide-on-waf-requirements-strategy.md",
        "--workspace",
        "platform",
    )

    gateway = Decision.objects.with_record().get(title="Decide on API Gateway Requirements")
    waf = Decision.objects.get(title="Decide on WAF Requirements/Strategy")
    # The page links the WAF page by its Docusaurus route, which is its file name.
    assert Relation.objects.filter(source=gateway, target=waf, kind="see_also").exists()
    exported = write(gateway.to_record(), "decide-on")
    assert exported.startswith("---\ntitle: Decide on API Gateway Requirements\n")
    again = read(exported, "decide-on-api-gateway-requirements.md")
    assert again.format == "decide-on"
    for record in (gateway.to_record(), again.record):
        assert [s.title for s in record.scenarios] == ["REST API", "HTTP API", "WebSocket API"]
        assert [s.choose_when.split()[:2] for s in record.scenarios] == [
            ["Choose", "REST"],
            ["Choose", "HTTP"],
            ["Choose", "a"],
        ]
        assert [(c.title, c.is_open) for c in record.considerations] == [
            ("Authentication", False),
            ("Monitoring and Tracing", True),
            ("Web Application Firewall (WAF)", True),
        ]
        assert [o.title for o in record.considerations[0].options] == [
            "IAM Authentication",
            "AWS Cognito",
            "API Key",
            "Lambda Authorizer",
        ]
        assert [(r.kind, r.title) for r in record.relations] == [
            ("see_also", "Decide on WAF Requirements/Strategy")
        ]


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def test_it_imports_a_zip(db, tmp_path):
    path = tmp_path / "adrs.zip"
    path.write_bytes(
        zip_of({"doc/adr/0001-a.md": nygard(1, "A"), "doc/adr/0002-b.md": nygard(2, "B")})
    )

    run(path, "--workspace", "zipped")

    assert Decision.objects.filter(workspace__slug="zipped").count() == 2


UNREADABLE = {
    "not-utf8": ({"0001-latin.md": "# 1. Café\n\n## Status\n\nAccepted\n".encode("latin-1")},
                 "0001-latin.md, line 1: not UTF-8"),
    "empty": ({"0001-empty.md": b"  \n"}, "0001-empty.md: the file is empty"),
    "front matter": ({"0001-broken.md": b"---\nstatus: [accepted\ndate: x\n---\n# A\n"},
                     "0001-broken.md, line 3: broken YAML front matter"),
    "nested 3,000 deep": ({"0001-deep.md": b"---\nx: " + b"[" * 3000 + b"]" * 3000 + b"\n---\n"},
                          "0001-deep.md"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_it_leaves_out_a_file_it_cannot_read_naming_it_and_imports_the_rest(db, tmp_path, case):
    files, message = UNREADABLE[case]
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    (tmp_path / "0009-fine.md").write_bytes(nygard(9, "Fine"))

    paths = [str(tmp_path / n) for n in [*files, "0009-fine.md"]]
    err = io.StringIO()
    call_command("import_adrs", *paths, "--workspace", "bad", stdout=io.StringIO(), stderr=err)

    assert f"NOT IMPORTED {message}" in err.getvalue()
    assert list(Decision.objects.values_list("title", flat=True)) == ["Fine"]


def test_it_refuses_a_file_that_is_not_markdown_whole(db, tmp_path):
    (tmp_path / "diagram.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "0009-fine.md").write_bytes(nygard(9, "Fine"))

    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        paths = [str(tmp_path / "diagram.png"), str(tmp_path / "0009-fine.md")]
        call_command("import_adrs", *paths, "--workspace", "bad", stdout=io.StringIO(), stderr=err)

    assert "diagram.png: not an ADR file" in err.getvalue()
    assert not Workspace.objects.filter(slug="bad").exists()
    assert Decision.objects.count() == 0


def test_it_refuses_a_file_over_the_size_limit(db, tmp_path, settings):
    big = tmp_path / "0001-big.md"
    big.write_bytes(nygard(1, "Big") + b"x" * (50 * 1024 * 1024))

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_adrs", str(big), "--workspace", "big", stdout=io.StringIO(), stderr=err
        )

    assert (
        "0001-big.md: 52,428,9" in err.getvalue()
        and "more than the 5,242,880 allowed" in err.getvalue()
    )
    assert Decision.objects.count() == 0


def test_it_refuses_a_zip_bomb(db, tmp_path):
    # 200 MB of one byte compresses to about 200 kB.
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(zip_of({"0001-a.md": nygard(1, "A") + b"\n" * (200 * 1024 * 1024)}))

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_adrs", str(bomb), "--workspace", "bomb", stdout=io.StringIO(), stderr=err
        )

    assert "bomb.zip: unpacks to 209,7" in err.getvalue()
    assert Decision.objects.count() == 0


def test_it_refuses_a_zip_whose_declared_sizes_lie(db, tmp_path, settings):
    settings.ADROIT_IMPORT_MAX_FILE_MB = 0.01  # 10 kB
    data = bytearray(zip_of({"0001-a.md": nygard(1, "A") + b"y" * 50_000}))
    # Rewrite the declared uncompressed size (central directory) to a small lie.
    at = data.rfind(b"PK\x01\x02")
    data[at + 24 : at + 28] = (100).to_bytes(4, "little")

    files, plan = collect([("liar.zip", bytes(data))])

    assert files == []
    assert [str(p) for p in plan.problems] == [
        "liar.zip/0001-a.md: damaged or forged zip entry (Bad CRC-32 for file '0001-a.md')"
    ]


def test_it_refuses_a_zip_with_paths_outside_its_folder(db, tmp_path):
    evil = tmp_path / "evil.zip"
    evil.write_bytes(zip_of({"0001-a.md": nygard(1, "A"), "../../etc/0002-b.md": nygard(2, "B")}))

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_adrs", str(evil), "--workspace", "evil", stdout=io.StringIO(), stderr=err
        )

    assert (
        "evil.zip: unsafe paths in the zip" in err.getvalue()
        and "../../etc/0002-b.md" in err.getvalue()
    )
    assert Decision.objects.count() == 0


def test_it_shortens_what_is_too_long_for_a_column_and_keeps_the_full_text(db, tmp_path):
    title = "Use " + "very " * 60 + "long titles"
    (tmp_path / "0001-long.md").write_bytes(nygard(1, title))

    run(tmp_path / "0001-long.md", "--workspace", "long")

    decision = Decision.objects.with_record().get(workspace__slug="long")
    assert len(decision.title) <= 200 and decision.title.endswith("very…")
    kept = {s.heading: s.body for s in decision.to_record().sections}
    assert kept["Shortened on import"] == f"- {title}"
