"""What the text says is read into the record, and nothing it does not say (issue 14).

Dates, statuses in their many spellings and places, numbers, deciders and the chosen option,
each from a small explicit file; then the same on the real corpus files where they occur.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from apps.decisions.models import Decision
from apps.formats.readers import read, read_bytes
from apps.formats.vocabulary import normalise_status, status_from_folder

from .corpus import corpus_root

# -- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\ndate: 2022-01-05\n---\n# A\n", "2022-01-05"),
        ("# 1. A\n\nDate: 2016-02-12\n\n## Status\n\nAccepted\n", "2016-02-12"),
        ("# A\n\n- Status: accepted\n- Date: 2020-09-26\n", "2020-09-26"),
        ("# A\n\n* Date: Dec 19, 2022\n", "2022-12-19"),
        ("# A\n\nLast updated: 2021-03-03\n\n## Status\n\nAccepted\n", "2021-03-03"),
    ],
    ids=["front-matter", "date-line", "list-item", "month-name", "last-updated"],
)
def test_it_reads_the_date_wherever_the_file_gives_it(text, expected):
    assert read(text, "0001-a.md").record.date == expected


def test_it_invents_no_date_for_a_file_without_one():
    assert read("# 1. A\n\n## Status\n\nAccepted\n", "0001-a.md").record.date == ""


# -- status


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Implemented", "accepted"),
        ("Approved", "accepted"),
        ("Adopted", "accepted"),
        ("Done", "accepted"),
        ("Draft", "draft"),
        ("Open", "draft"),
        ("Replaced by ADR-7", "superseded"),
        ("Retired", "deprecated"),
        ("Abandoned", "rejected"),
    ],
)
def test_it_maps_status_words_where_their_meaning_is_clear(raw, expected):
    assert normalise_status(raw) == expected


@pytest.mark.parametrize(
    ("text", "status", "status_text"),
    [
        ("# A\n\n## Status\n\n**Accepted**\n", "accepted", "Accepted"),
        ("# A\n\n## Status\n\nAccepted. We will do it.\n", "accepted", "Accepted. We will do it."),
        ("# A\n\n## Status\n\nAccepted on 2020-01-01\n", "accepted", "Accepted on 2020-01-01"),
        ("# A\n\nStatus: Implemented\n", "accepted", "Implemented"),
        ("# A\n\n- Status: proposed\n", "in_review", "proposed"),
        ("---\nstatus: approved\n---\n# A\n", "accepted", "approved"),
        ("# A\n\n## Status\n\nOn hold\n", "draft", "On hold"),
    ],
    ids=["bold", "sentence", "with-date", "line", "list-item", "front-matter", "unknown"],
)
def test_it_reads_the_status_and_keeps_it_as_written(text, status, status_text):
    record = read(text, "0001-a.md").record

    assert (record.status, record.status_text, record.unstated) == (
        status,
        status_text,
        ["outcome"],
    )


def test_it_reads_superseded_with_its_by_sentence():
    text = "# A\n\n## Status\n\nSuperseded by [2. B](0002-b.md)\n"
    record = read(text, "0001-a.md").record

    assert (record.status, record.status_text) == ("superseded", "Superseded by [2. B](0002-b.md)")
    assert [(r.kind, r.number) for r in record.relations] == [("superseded_by", 2)]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("accepted/0003-x.md", "accepted"),
        ("docs/adr/proposed/0003-x.md", "in_review"),
        ("adopted/x.md", "accepted"),
        ("deprecated/x.md", "deprecated"),
        ("drafts/x.md", "draft"),
        ("docs/decisions/0003-x.md", None),
        ("0003-x.md", None),
    ],
)
def test_it_reads_a_status_from_the_folder_name(path, expected):
    assert status_from_folder(path) == expected


def test_it_takes_the_status_from_the_folder_only_when_the_file_says_none():
    silent = read("# X\n\n## Context\n\nc\n", "accepted/0003-x.md")
    said = read("# X\n\n## Status\n\nRejected\n", "accepted/0003-x.md").record

    assert (silent.record.status, silent.record.status_text) == ("accepted", "")
    # The file itself says nothing, so a writer must not add a status line to it.
    assert "status" in silent.record.unstated
    assert not any("no status" in warning for warning in silent.warnings)
    assert (said.status, said.unstated) == ("rejected", ["outcome"])


@pytest.mark.parametrize(
    ("text", "status", "status_text"),
    [
        ("# ADR013: [superseded] Use X\n\n## Context\n\nc\n", "superseded", "superseded"),
        ("# X\n\n:::warning Rejected!\nWe did not.\n:::\n", "rejected", "Rejected"),
        ("# X\n\n:::note Superseded by ADR-4\n:::\n", "superseded", "Superseded by ADR-4"),
    ],
    ids=["title-tag", "callout", "callout-with-sentence"],
)
def test_it_reads_a_status_from_a_title_tag_or_a_callout_without_changing_the_text(
    text, status, status_text
):
    record = read(text, "0013-x.md").record

    assert (record.status, record.status_text) == (status, status_text)
    # Said, but in no status line: a writer adds none.
    assert "status" in record.unstated


def test_it_reads_no_status_from_other_callouts_and_tags():
    text = "# [Draft-ish notes] X\n\n:::tip Good idea\n:::\n"

    record = read(text, "0013-x.md").record

    assert (record.status, record.status_text, record.title) == (
        "draft",
        "",
        "[Draft-ish notes] X",
    )


def test_it_says_when_a_file_has_no_status_at_all():
    record = read("# X\n\n## Context\n\nc\n", "0003-x.md").record

    assert (record.status, record.status_text, record.unstated) == (
        "draft",
        "",
        ["status", "outcome"],
    )


# -- numbers and deciders


def test_it_keeps_the_title_number_when_it_matches_the_file_name():
    record = read("# 3. A\n", "0003-a.md").record

    assert (record.number, record.title_number) == (3, None)


@pytest.mark.parametrize(
    "text",
    [
        "---\ndeciders: Ann, Bob\n---\n# A\n",
        "---\ndecision-makers:\n  - Ann\n  - Bob\n---\n# A\n",
        "# A\n\n- Status: accepted\n- Deciders: Ann, Bob\n",
        "# 1. A\n\nDate: 2020-01-01\nDeciders: Ann, Bob\n\n## Status\n\nAccepted\n",
    ],
    ids=["madr3", "madr4", "list-item", "nygard-line"],
)
def test_it_reads_the_deciders(text):
    assert read(text, "0001-a.md").record.decision_makers == ["Ann", "Bob"]


# -- the chosen option

MADR_OPTIONS = """\
# Where to put links

## Considered Options

* Put them in the README
* More Information

## Decision Outcome

Chosen option: {chosen}, because it keeps them together.
"""


@pytest.mark.parametrize(
    "chosen",
    [
        "\"Include in section 'More Information'\"",
        '"more information"',
        "**More Information.**",
        "“More Information”",
    ],
)
def test_it_matches_the_chosen_option_by_meaning_not_quoting(chosen):
    record = read(MADR_OPTIONS.format(chosen=chosen), "0001-links.md").record

    assert record.chosen == "More Information"
    assert record.rationale == "it keeps them together."
    assert "outcome" not in record.unstated


def test_it_keeps_the_chosen_options_own_words_when_they_differ_from_its_title():
    text = MADR_OPTIONS.format(chosen="\"Include in section 'More Information'\"")

    record = read(text, "0001-links.md").record

    assert record.chosen_text == "Include in section 'More Information'"


def test_it_keeps_an_outcome_that_names_no_option_as_written():
    text = MADR_OPTIONS.format(chosen='"Write a wiki page"')

    result = read(text, "0001-links.md")

    record = result.record
    assert record.chosen == ""
    assert record.rationale == 'Chosen option: "Write a wiki page", because it keeps them together.'
    assert "outcome" in record.unstated
    assert any("kept as written" in warning for warning in result.warnings)


def test_it_names_no_one_option_for_a_mix_of_two():
    text = MADR_OPTIONS.format(chosen='a mix of "Put them in the README" and "More Information"')

    record = read(text, "0001-links.md").record

    assert record.chosen == ""
    assert record.rationale.startswith("Chosen option: a mix of")


def test_it_reads_a_nygard_decision_as_the_outcome_as_written():
    text = "# 2. Use Postgres\n\n## Status\n\nAccepted\n\n## Decision\n\nWe will use Postgres.\n"

    record = read(text, "0002-use-postgres.md").record

    assert (record.chosen, record.rationale) == ("", "We will use Postgres.")
    # No "Chosen option" sentence in the source: the writers add none.
    assert "outcome" in record.unstated


# -- the same on the real corpus


def _corpus_file(folder: str, name: str) -> bytes:
    path = corpus_root() / folder / name
    if not path.is_file():
        pytest.fail(f"{path} is missing from the corpus")
    return path.read_bytes()


@pytest.mark.corpus
def test_it_reads_the_corpus_files_number_from_their_names():
    data = _corpus_file("alphagov__govuk-aws", "0035-bouncer-load-balancer-on-port-80-and-443.md")

    record = read_bytes(data, "0035-bouncer-load-balancer-on-port-80-and-443.md").record

    assert (record.number, record.title_number) == (35, 3)


@pytest.mark.corpus
def test_it_reads_the_corpus_statuses_dates_and_deciders_as_written():
    fac = read_bytes(_corpus_file("GSA-TTS__FAC", "0012-migration-plan.md"), "0012-x.md")
    mozilla = read_bytes(
        _corpus_file("mozilla__application-services", "0005-remote-settings-client.md"),
        "0005-remote-settings-client.md",
    )

    assert (fac.record.status, fac.record.status_text) == ("accepted", "Approved")
    assert fac.record.date == "2022-07-11"
    assert mozilla.record.date == "2022-12-16"
    assert "leplatrem" in " ".join(mozilla.record.decision_makers)


@pytest.mark.corpus
def test_it_reads_every_corpus_decision_section_as_an_outcome_never_as_no_option():
    root = corpus_root()
    for folder in ("npryce__adr-tools", "alphagov__govuk-aws", "arachne-framework__architecture"):
        for path in sorted((root / folder).glob("*.md")):
            source = path.read_text(encoding="utf-8")
            record = read_bytes(path.read_bytes(), path.name).record
            if "\n## Decision\n" in source:
                assert record.rationale.strip(), path.name
            assert "No option has been chosen yet." not in record.rationale, path.name


@pytest.mark.django_db
def test_an_imported_decision_keeps_its_status_as_written(tmp_path):
    (tmp_path / "0001-use-queues.md").write_text(
        "# 1. Use queues\n\n## Status\n\nImplemented\n\n## Decision\n\nWe use queues.\n"
    )

    call_command("import_adrs", str(tmp_path), "--workspace", "team", stdout=io.StringIO())

    decision = Decision.objects.get(title="Use queues")
    assert decision.source.status_text == "Implemented"
