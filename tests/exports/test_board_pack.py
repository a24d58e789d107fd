"""The board pack of the example workspace, built by the export job as the worker builds it, read
back with pypdf: page numbers, contents, bookmarks, no stray lines, PDF/A and its attachments.

Each test reads the pack twice: rendered as one document, and in sections of two decisions (three
sections, joined by apps/core/pdfjoin.py), as a big pack is rendered. Both are built once for the
module (`packs`)."""

from __future__ import annotations

import functools

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.template import Template
from django.test import override_settings

from apps.accounts.management.commands.load_example import load_example
from apps.decisions.models import Decision
from apps.exports.models import ExportJob
from apps.exports.packs import board_pack
from apps.exports.tasks import build, pack_decisions

from ..conftest import FAST_HASHER, IMMEDIATE_TASKS, PLAIN_RENDER
from ..factories import make_decision
from .pdfs import (
    attachment_hashes,
    content_lines,
    contents_rows,
    flat,
    font_programs,
    footer,
    outline,
    pdfa_identification,
    reader,
    unembedded_fonts,
)
from .pdfs import texts as read_texts

SECTION_SIZES = {"one-document": None, "sections-of-2": 2}


@pytest.fixture(scope="module")
def packs(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, bytes]:
    """Both packs of every example decision, as someone ticks them all on the exports page,
    built once for the module: each build lays out six decisions in WeasyPrint, a second or two
    of CPU, and the tests only read the bytes. The example stays loaded in a transaction that is
    rolled back when the module ends; each test runs in a savepoint inside it, so what a test
    reads from the database is what the packs were built from."""
    settings = {
        "PASSWORD_HASHERS": [FAST_HASHER],
        "TASKS": {"default": {"BACKEND": IMMEDIATE_TASKS, "QUEUES": django_settings.TASK_QUEUES}},
        "MEDIA_ROOT": tmp_path_factory.mktemp("packs"),
    }
    with (
        django_db_blocker.unblock(),
        override_settings(**settings),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(Template, "_render", PLAIN_RENDER)
        with transaction.atomic():
            example = load_example(password="demo")
            built = {}
            for name, section_size in SECTION_SIZES.items():
                sections = {"ADROIT_PACK_SECTION_SIZE": section_size} if section_size else {}
                with override_settings(**sections):
                    built[name] = build_pack(example)
            yield built
            transaction.set_rollback(True)


def build_pack(example) -> bytes:
    job = ExportJob.objects.create(
        workspace=example,
        kind=ExportJob.Kind.BOARD_PACK,
        format="pdf",
        decision_ids=list(Decision.objects.filter(workspace=example).values_list("pk", flat=True)),
    )
    build(job)
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE, job.error
    assert (job.done, job.total) == (6, 6)
    with job.result.open("rb") as stream:
        return stream.read()


@pytest.fixture(params=SECTION_SIZES)
def pack(request, packs, db) -> bytes:
    return packs[request.param]


@functools.cache
def texts(pdf: bytes) -> list[str]:
    """The pages' texts, read once per pack: pypdf's extraction costs more than the checks."""
    return read_texts(pdf)


def starts(pages: list[str]) -> dict[str, int]:
    """{ref: index of the page where the decision starts}, from each page's footer."""
    found: dict[str, int] = {}
    for index, text in enumerate(pages):
        left = footer(text)[0]
        if left.startswith("ADR-"):
            found.setdefault(left[:8], index)
    return found


def test_it_prints_on_each_page_its_own_number_through_the_pack(pack):
    pages = texts(pack)

    assert len(pages) > 7  # a cover, then six decisions, several of them on two pages
    for index, text in enumerate(pages):
        _, number, total = footer(text)
        assert (number, total) == (index + 1, len(pages))


def test_it_gives_in_the_contents_the_page_where_each_title_stands(pack):
    pages = texts(pack)
    rows = contents_rows(pack)
    titles = dict(Decision.objects.values_list("number", "title"))

    assert sorted(rows) == [f"ADR-{n:04d}" for n in range(1, 7)]
    for ref, page_number in rows.items():
        title_page = pages[page_number - 1]
        assert content_lines(title_page)[0].startswith(ref)  # "ADR-0004 v1 · Platform ..."
        assert titles[int(ref[4:])] in flat(title_page)
    assert rows == {ref: index + 1 for ref, index in starts(pages).items()}


def test_it_makes_one_top_level_bookmark_per_decision_with_its_sections_below(pack):
    pages = texts(pack)
    marks = outline(pack)
    titles = Decision.objects.order_by("number").values_list("number", "title")

    assert [title for title, _, _ in marks] == [f"ADR-{n:04d} {t}" for n, t in titles]
    for title, page, sections in marks:
        assert starts(pages)[title[:8]] == page
        assert "Context and Problem Statement" in sections and "Decision Outcome" in sections


def test_it_leaves_no_page_of_a_single_line_but_a_decisions_last(pack):
    pages = texts(pack)

    for index, text in enumerate(pages):
        lines = content_lines(text)
        assert lines, f"page {index + 1} is empty"
        if len(lines) == 1:
            ref = footer(text)[0][:8]
            last = index + 1 == len(pages) or footer(pages[index + 1])[0][:8] != ref
            assert last, f"page {index + 1} holds one line mid-decision: {lines}"


def test_it_is_pdf_a_with_every_font_embedded_and_each_frozen_markdown_attached(pack):
    frozen = {
        f"{d.ref}-v{v.number}.md": v.sha256
        for d in Decision.objects.order_by("number")
        for v in d.versions.all()
    }

    assert pdfa_identification(pack) == ("3", "U")
    assert unembedded_fonts(pack) == []
    assert sorted(frozen) == ["ADR-0001-v1.md", "ADR-0002-v1.md", "ADR-0004-v1.md"]
    assert attachment_hashes(pack) == frozen


def test_it_marks_each_decision_with_its_status_on_each_of_its_pages(pack):
    pages = texts(pack)
    marks = {"ADR-0002": "SUPERSEDED", "ADR-0003": "REJECTED", "ADR-0005": "IN REVIEW"}
    marks["ADR-0006"] = "DRAFT"

    for text in pages[1:]:
        ref = footer(text)[0][:8]
        words = {"DRAFT", "IN REVIEW", "REJECTED", "SUPERSEDED"} & set(text.splitlines())
        assert words == ({marks[ref]} if ref in marks else set()), (ref, words)


def test_it_shows_the_approvals_and_the_full_hash_of_accepted_decisions(pack):
    pages = texts(pack)
    first = starts(pages)
    version = Decision.objects.get(number=4).versions.get()

    cover = pages[first["ADR-0004"]]
    assert version.sha256 in cover.replace("\n", "")
    assert "Approvals" in cover and version.approvals[0]["name"] in cover
    contents = flat(pages[0])
    assert "ADR-0004 Use Amazon CloudFront and an Application Load Balancer" in contents
    assert f"v1 · {version.sha256[:12]}" in contents


def test_it_links_each_contents_row_to_the_page_where_its_decision_starts(pack):
    pdf_reader = reader(pack)
    destinations = pdf_reader.named_destinations
    first = starts(texts(pack))

    targets: dict[str, set[int]] = {}
    for annotation in pdf_reader.pages[0]["/Annots"]:
        name = str(annotation.get_object()["/Dest"])
        page = pdf_reader.get_destination_page_number(destinations[name])
        targets.setdefault(name, set()).add(page)

    # Two links a row: the title and the page number.
    assert targets == {f"adroit-decision-{int(ref[4:])}": {page} for ref, page in first.items()}


def test_it_keeps_one_tag_tree_whose_entries_point_at_their_own_page(pack):
    pdf_reader = reader(pack)
    root = pdf_reader.trailer["/Root"]["/StructTreeRoot"]
    nums = root["/ParentTree"]["/Nums"]
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    keys = [page["/StructParents"] for page in pdf_reader.pages]

    assert len(set(keys)) == len(pdf_reader.pages)
    for page, key in zip(pdf_reader.pages, keys, strict=True):
        elements = [e.get_object() for e in parents[key]]
        assert elements, f"no tagged content on the page of key {key}"
        pages = {e.raw_get("/Pg").idnum for e in elements if "/Pg" in e}
        assert pages <= {page.indirect_reference.idnum}
    # Every element hangs, through its parents, from the one Document element under the root.
    document = root.raw_get("/K")[0].idnum
    for elements in parents.values():
        for element in elements if isinstance(elements, list) else [elements]:
            element = element.get_object()
            while element["/P"].get("/Type") != "/StructTreeRoot":
                element = element["/P"]
            assert element.indirect_reference.idnum == document


def test_it_names_each_subset_of_a_font_once(pack):
    programs = font_programs(pack)

    assert programs and all(len(found) == 1 for found in programs.values()), {
        name: len(found) for name, found in programs.items()
    }


@pytest.mark.parametrize("section_size", [100, 5], ids=["one-document", "sections-of-5"])
def test_it_reports_decisions_done_while_the_pack_is_laid_out(workspace, settings, section_size):
    settings.ADROIT_PACK_SECTION_SIZE = section_size
    for i in range(12):
        make_decision(workspace, f"Decision {i}", context=f"Why decision {i} matters. " * 200)
    decisions = pack_decisions(Decision.objects.filter(workspace=workspace))
    seen: list[int] = []

    pdf = board_pack(decisions, workspace, seen.append)

    assert len(reader(pdf).pages) > 12
    assert seen and seen == sorted(set(seen)) and 0 < seen[0] and seen[-1] < 12
