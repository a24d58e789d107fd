"""Comparing two versions: by section, and in lines, however much changed."""

from __future__ import annotations

from apps.versions.models import changed_lines, diff_by_section


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
