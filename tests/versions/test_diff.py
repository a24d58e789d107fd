"""Comparing two versions: by section, and in lines, however much changed."""

from __future__ import annotations

import time

from apps.versions.diff import compare
from apps.versions.models import (
    MAX_DIFF_LINES,
    MAX_SECTION_LINES,
    Version,
    changed_lines,
    diff_by_section,
    sha256_of,
)

from ..factories import make_decision
from .helpers import added, removed


def test_it_pairs_each_replaced_line_with_its_new_text():
    old = ["keep", "We expose an API.", "Old tail."]
    new = ["keep", "We expose a public API.", "Old tail.", "A new line."]

    assert changed_lines(old, new) == [
        ("-", "We expose an API."),
        ("+", "We expose a public API."),
        ("+", "A new line."),
    ]


def test_it_diffs_versions_that_differ_in_every_line_line_by_line():
    # ndiff compared such lines character by character: close to a minute for 400 lines.
    old = "## Context\n\n" + "\n".join(f"Line {i} says the gateway is fine." for i in range(400))
    new = "## Context\n\n" + "\n".join(f"Line {i} says the gateway is FINE." for i in range(400))

    [_, section] = diff_by_section(old, new)  # the title part, then the Context

    assert section.state == "changed"
    assert len(section.lines) == 800
    assert section.lines[:2] == [
        ("-", "Line 0 says the gateway is fine."),
        ("+", "Line 0 says the gateway is FINE."),
    ]


def test_it_names_sections_added_and_removed():
    old = "## Context\n\nWhy.\n\n## Gone\n\nOld."
    new = "## Context\n\nWhy.\n\n## New\n\nFresh."

    states = {s.heading: s.state for s in diff_by_section(old, new)}

    assert states == {
        "Front matter and title": "same",
        "Context": "same",
        "New": "added",
        "Gone": "removed",
    }


def frozen(decision, number: int, markdown: str) -> Version:
    return Version.objects.create(
        decision=decision, number=number, snapshot={}, markdown=markdown, sha256=sha256_of(markdown)
    )


def test_its_page_compares_two_400_line_versions_changed_in_every_line_at_once(
    author_client, workspace
):
    # ndiff took 54 s on this pair, a gunicorn worker killed at 30 s.
    decision = make_decision(workspace)
    frozen(decision, 1, "## Context\n\n" + "\n".join(f"Line {i} is fine." for i in range(400)))
    frozen(decision, 2, "## Context\n\n" + "\n".join(f"Line {i} is FINE." for i in range(400)))

    author_client.get(f"/w/team/{decision.number}/versions/")  # the process's first page: warm
    start = time.perf_counter()
    response = author_client.get(f"/w/team/{decision.number}/versions/diff/?a=1&b=2")
    elapsed = time.perf_counter() - start

    assert response.status_code == 200
    assert elapsed < 2.0
    page = response.content.decode()
    assert f"Line 399 is {removed('fine')}." in page and f"Line 399 is {added('FINE')}." in page


def test_it_names_a_section_too_large_to_compare_line_by_line(author_client, workspace):
    # Lines repeated ten times over, reordered: SequenceMatcher took 17 s on 3,000 of them.
    decision = make_decision(workspace)
    old = [f"x{i % 300}" for i in range(3000)]
    new = [f"x{i * 3 % 300}" for i in range(3000)]
    frozen(decision, 1, "## Context\n\nWhy.\n\n## Big\n\n" + "\n".join(old))
    frozen(decision, 2, "## Context\n\nWhy not.\n\n## Big\n\n" + "\n".join(new))

    author_client.get(f"/w/team/{decision.number}/versions/")  # the process's first page: warm
    start = time.perf_counter()
    response = author_client.get(f"/w/team/{decision.number}/versions/diff/?a=1&b=2")
    elapsed = time.perf_counter() - start

    assert response.status_code == 200 and elapsed < 2.0
    page = response.content.decode()
    assert "Too large to compare line by line: 3001 lines in v1, 3001 in v2." in page
    # The small section is still compared, word by word.
    assert f"Why{added(' not')}." in page


def test_it_compares_no_more_lines_in_all_than_its_limit():
    section = "\n".join(f"line {i}" for i in range(MAX_SECTION_LINES // 2 - 1))
    old = "".join(f"## S{k}\n{section}\n" for k in range(4))
    new = "".join(f"## S{k}\n{section} changed\n" for k in range(4))

    compared = [s for s in diff_by_section(old, new) if s.state == "changed" and s.lines]

    assert len(compared) == MAX_DIFF_LINES // MAX_SECTION_LINES


def test_it_names_sections_by_scenario_and_consideration():
    old = (
        "## Pros and Cons of the Options\n\n### REST API\n\n* Good, because caching\n\n"
        "### HTTP API\n\n* Good, because cheap\n\n## Considerations\n\n### WAF\n\nOpen.\n"
    )
    new = old.replace("because cheap", "because cheaper").replace("Open.", "Settled.")

    sections = {s.label: s.state for s in compare(old, new)}

    assert sections == {
        "Front matter and title": "same",
        "Pros and Cons of the Options": "same",
        "Scenario: REST API": "same",
        "Scenario: HTTP API": "changed",
        "Considerations": "same",
        "Consideration: WAF": "changed",
    }


def test_it_marks_the_words_removed_and_added_within_a_changed_line():
    [_, section] = compare(
        "## Context\n\nWe expose an API.\n", "## Context\n\nWe expose a public API.\n"
    )
    assert [(row.kind, row.parts) for row in section.rows] == [
        ("removed", [("", "We expose "), ("del", "an"), ("", " API.")]),
        ("added", [("", "We expose "), ("ins", "a public"), ("", " API.")]),
    ]


def test_it_leaves_a_third_level_heading_elsewhere_inside_its_section():
    old = "## Context\n\n### Overview\n\nOld.\n"
    new = "## Context\n\n### Overview\n\nNew.\n"
    assert [s.label for s in compare(old, new)] == ["Front matter and title", "Context"]


def test_it_shows_a_long_line_whole_rather_than_word_by_word():
    # 40,000 words on one line, each changed: compared word by word this is slow.
    old = "## Context\n\n" + " ".join(f"w{i}" for i in range(40_000))
    new = "## Context\n\n" + " ".join(f"v{i}" for i in range(40_000))
    start = time.perf_counter()
    [_, section] = compare(old, new)
    assert time.perf_counter() - start < 1.0
    assert [(row.kind, [m for m, _ in row.parts]) for row in section.rows] == [
        ("removed", ["del"]),
        ("added", ["ins"]),
    ]


def test_it_compares_words_within_a_budget_then_whole_lines():
    text = "Line {} has some words in it, and then a few more words to make it long: {}"
    old = "".join(
        f"## S{k}\n" + "\n".join(text.format(i, "old") for i in range(999)) + "\n" for k in range(2)
    )
    start = time.perf_counter()
    sections = compare(old, old.replace(": old", ": new"))
    elapsed = time.perf_counter() - start
    rows = [row for s in sections for row in s.rows]
    marked = [row for row in rows if len(row.parts) > 1]
    whole = [row for row in rows if len(row.parts) == 1]
    assert len(rows) == 2 * 2 * 999 and elapsed < 2.0
    assert marked[0].parts == [("", text.format(0, "")), ("del", "old")]
    assert whole  # past the budget of words, lines are shown whole
