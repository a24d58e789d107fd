"""Whole folders import (issue 14): duplicate numbers, README and template files, links by file,
and a plan that catches what the database would refuse, so a clean dry run never fails."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from apps.decisions.models import AuthOption, Decision, Participant, Relation, Scenario
from apps.formats.record import (
    AuthOptionEntry,
    ConsiderationEntry,
    Record,
    ScenarioEntry,
    SupportEntry,
)
from apps.imports.importing import Plan, Planned, apply, deduplicate, make_plan
from apps.imports.models import PendingImport

from ..factories import make_workspace
from .test_import import nygard


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_adrs", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(folder, files: dict[str, bytes]):
    for name, body in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return folder


def test_it_imports_two_files_with_one_number_giving_the_later_the_next_free(db, tmp_path):
    folder = write(
        tmp_path,
        {
            "0001-a.md": nygard(1, "A"),
            "0002-b.md": nygard(2, "B"),
            "0002-c.md": nygard(2, "C"),
            "0003-d.md": nygard(3, "D"),
        },
    )

    out, _ = run(folder, "--workspace", "dup")

    numbers = dict(Decision.objects.values_list("title", "number"))
    assert numbers == {"A": 1, "B": 2, "C": 4, "D": 3}
    assert (
        "0002-c.md: number 2 is also the number of 0002-b.md, which keeps it;"
        " this file keeps its name; it becomes 4" in out
    )


def test_it_says_on_the_web_preview_which_file_is_renumbered(author_client, workspace):
    from .test_import_views import zip_file

    upload = zip_file("adr.zip", {"adr/0005-b.md": nygard(5, "B"), "adr/0005-a.md": nygard(5, "A")})
    response = author_client.post("/w/team/import/", {"format": "auto", "files": [upload]})
    page = author_client.get(response["Location"]).content.decode()

    assert "adr/0005-b.md: number 5 is also the number of adr/0005-a.md" in page
    author_client.post(f"/w/team/import/{PendingImport.objects.get().pk}/confirm/")
    assert dict(Decision.objects.values_list("title", "number")) == {"A": 5, "B": 6}


def test_it_skips_readme_index_and_template_files_and_lists_them(db, tmp_path):
    folder = write(
        tmp_path,
        {
            "README.md": b"# Architecture decisions\n\n* [1. A](0001-a.md)\n",
            "index.md": b"# Index\n",
            "template.md": nygard(1, "Title"),
            "adr-template.md": nygard(1, "Title"),
            "xxxx-template-name.md": nygard(1, "Title"),
            "sub/_template.mdx": nygard(1, "Title"),
            "0001-a.md": nygard(1, "A"),
            "0002-readme-first.md": nygard(2, "Readme first"),  # a decision about READMEs
        },
    )

    out, _ = run(folder, "--workspace", "skips")

    assert sorted(Decision.objects.values_list("title", flat=True)) == ["A", "Readme first"]
    for name in ("README.md", "index.md", "template.md", "adr-template.md", "sub/_template.mdx"):
        assert f"skipped (not a decision: README, index or template): {name}" in out


def test_it_links_by_the_file_a_link_points_at_not_by_its_number(db, tmp_path):
    folder = write(
        tmp_path,
        {
            # 0016-compliance-documentation.md is not in the folder; another 16 is.
            "decisions/0014-audit.md": nygard(
                4,
                "Audit",
                "Superseded",
                "Superseded by [ADR 16](https://github.com/o/r/blob/main/decisions/"
                "0016-compliance-documentation.md)\n\n",
            ),
            "decisions/0016-other.md": nygard(6, "Other"),
            # A relative link, resolved against the linking file's folder.
            "decisions/0017-new.md": nygard(
                7, "New", "Accepted", "Amends [ADR 2](../older/0002-b.md)\n\n"
            ),
            "older/0002-a.md": nygard(2, "Old A"),
            "older/0002-b.md": nygard(2, "Old B"),  # numbered like 0002-a: renumbered, still found
        },
    )

    out, _ = run(folder, "--workspace", "links")

    assert [(r.source.title, r.kind, r.target.title) for r in Relation.objects.all()] == [
        ("New", "amends", "Old B")
    ]
    assert "0016-compliance-documentation.md is not among the imported files" in out
    audit = Decision.objects.with_record().get(title="Audit").to_record()
    assert "0016-compliance-documentation.md" in audit.sections[-1].body  # kept as text


def test_it_links_by_number_only_when_the_link_names_no_file(db, tmp_path):
    folder = write(
        tmp_path,
        {
            "0001-a.md": nygard(1, "A", "Superseded", "Superseded by ADR-0002\n\n"),
            "0002-b.md": nygard(2, "B"),
        },
    )

    run(folder, "--workspace", "numbers")

    relation = Relation.objects.get()
    assert (relation.source.title, relation.kind, relation.target.title) == ("B", "supersedes", "A")


MADR_TWICE = b"""---
status: proposed
deciders: Ann, Bob, Ann
---
# Use a queue

## Context and Problem Statement

We need one.

## Considered Options

* Kafka
* Kafka
* RabbitMQ

## Decision Outcome

Chosen option: "RabbitMQ", because it is simple.
"""


def test_a_clean_dry_run_means_the_import_works_with_an_option_named_twice(db, tmp_path):
    folder = write(tmp_path, {"0001-use-a-queue.md": MADR_TWICE})

    dry, _ = run(folder, "--workspace", "twice", "--dry-run")
    out, _ = run(folder, "--workspace", "twice")

    assert "scenario “Kafka” twice: the second is “Kafka (2)”" in dry
    assert "Ann listed twice in one role: once is kept" in dry
    assert "Dry run: 1 decision(s)" in dry and "Imported 1 decision(s)" in out
    decision = Decision.objects.get()
    assert [s.title for s in Scenario.objects.filter(decision=decision)] == [
        "Kafka",
        "Kafka (2)",
        "RabbitMQ",
    ]
    assert decision.chosen.title == "RabbitMQ"
    assert list(Participant.objects.values_list("name", flat=True)) == ["Ann", "Bob"]


def test_it_renames_considerations_options_and_cells_the_database_holds_once(db):
    cells = [SupportEntry("S", "supported"), SupportEntry("S", "not")]
    record = Record(
        title="Auth",
        scenarios=[ScenarioEntry("S")],
        considerations=[
            ConsiderationEntry("Login", options=[AuthOptionEntry("IAM", support=cells)]),
            ConsiderationEntry(
                "Login", options=[AuthOptionEntry("x" * 200), AuthOptionEntry("x" * 200)]
            ),
        ],
    )

    changes = deduplicate(record)
    plan = Plan(items=[Planned("0001-auth.md", "madr", record, 1, 1, changes)])
    apply(plan, make_workspace("auth"))

    assert [c.title for c in record.considerations] == ["Login", "Login (2)"]
    second = AuthOption.objects.filter(consideration__title="Login (2)")
    assert [len(o.title) for o in second] == [200, 200]
    assert second[1].title.endswith("x (2)")
    iam = AuthOption.objects.get(title="IAM")
    assert [(c.scenario.title, c.level) for c in iam.support.all()] == [("S", "supported")]
    assert "option “IAM” rated a scenario twice: the first is kept" in changes


def test_it_numbers_a_file_whose_number_is_too_large_for_the_database(db, tmp_path):
    folder = write(
        tmp_path,
        {"0001-a.md": nygard(1, "A"), "b.md": b"# Architecture Decision Record 99999999999: Big\n"},
    )

    out, _ = run(folder, "--workspace", "big")

    assert dict(Decision.objects.values_list("title", "number")) == {"A": 1, "Big": 2}
    assert "b.md: number 99999999999 cannot be a decision's number here; it becomes 2" in out


def test_the_plan_refuses_only_the_unreadable_file(db):
    plan = make_plan(
        [("0001-a.md", nygard(1, "A")), ("0002-b.md", b"\xff\xfe not text")], make_workspace("w")
    )

    assert plan.ok and [i.filename for i in plan.items] == ["0001-a.md"]
    assert [str(p) for p in plan.refused] == [
        "0002-b.md, line 1: not UTF-8 (invalid byte at offset 0)"
    ]


@pytest.mark.parametrize("accepted", ["elsewhere", "review"])
def test_the_dry_run_and_the_import_report_the_same(db, tmp_path, accepted):
    folder = write(tmp_path, {"0001-a.md": nygard(1, "A"), "0001-b.md": nygard(1, "B")})

    dry, _ = run(folder, "--workspace", "same", "--dry-run", "--accepted", accepted)
    out, _ = run(folder, "--workspace", "same", "--accepted", accepted)

    assert dry.splitlines()[:-1] == out.splitlines()[:-1]
    assert "0001-b.md: number 1 is also the number of 0001-a.md" in dry
