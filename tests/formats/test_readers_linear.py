"""The readers take time linear in their input (issue 13, item 5).

Each text here once tied a gunicorn worker up for minutes: a pattern that scanned from every
position of a long line to its end, or option matching that compared every heading with every
option. One second of CPU time is generous: each reads in well under half of it. CPU time, not
the clock, so that other work on a busy CI machine does not count against the reader.
"""

from __future__ import annotations

import gc
import time

import pytest

from apps.formats.readers import ReadError, read

LIMIT = 1.0
# Eight times the input taking more than this many times as long is not linear (quadratic is 64).
GROWTH = 24
MB = 1_000_000


def _seconds(text: str, name: str = "0001-attack.md") -> float:
    start = time.process_time()
    read(text, name)
    return time.process_time() - start


def test_it_reads_a_150_kb_heading_line_in_linear_time():
    # Spaces inside a heading's text were tried as the start of a closing `#` run, each to the end.
    text = "# a" + " " * 150_000 + "b\n"

    assert _seconds(text) < LIMIT


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "# T\n\n## Considered Options\n\n* " + "#*[ `" * (MB // 5) + "\n",
            id="option-of-markup-characters",
        ),
        pytest.param("## a" + " " * MB + "b\n", id="section-heading-spaces"),
        pytest.param("# T\n\n## a" + "<!--" * (MB // 4) + "\n", id="unclosed-comments"),
        pytest.param(
            "# T\n\n## Considered Options\n\n* " + "[a](" * (MB // 4) + "\n",
            id="option-of-link-openers",
        ),
        pytest.param(
            "# T\n\n## Decision Outcome\n\nChosen option: a" + " " * MB + "x\n",
            id="chosen-option-spaces",
        ),
        pytest.param(
            "# T\n\n## Status\n\n" + "Supersedes [" * (MB // 12) + "\n", id="relation-openers"
        ),
        pytest.param("# T\n\n## Status\n\nSupersedes" + " " * MB + "x\n", id="relation-spaces"),
        pytest.param(
            "---\ntitle: Decide on x\n---\n\n## Considerations\n\n### a\n\n#### b\n\n"
            + "support " * (MB // 8)
            + "\n\n- x\n",
            id="support-lead-in",
        ),
    ],
)
def test_it_reads_a_1_mb_hostile_line_in_linear_time(text):
    assert _seconds(text) < LIMIT


def _many_options(count: int) -> str:
    options = "\n".join(f"* Option {i}" for i in range(count))
    pros = "\n\n".join(f"### Option {i}\n\n* Good, because {i}" for i in range(count))
    return (
        f"# T\n\n## Considered Options\n\n{options}\n\n## Decision Outcome\n\n"
        f'Chosen option: "Option {count - 1}"\n\n## Pros and Cons of the Options\n\n{pros}\n'
    )


def _growth(make_text, small: int, name: str) -> float:
    """How much longer the reader takes on eight times the input: about 8 when linear, 64 when
    quadratic. A ratio of CPU times in one run, so a slower or busier machine moves both; the
    collector is off, as its pauses grow with what is alive, not with the reader."""

    def best(text: str) -> float:
        gc.collect()
        gc.disable()
        try:
            return min(_seconds(text, name) for _ in range(3))
        finally:
            gc.enable()

    return best(make_text(8 * small)) / best(make_text(small))


def test_it_matches_2000_options_with_their_pros_and_cons_in_near_linear_time():
    count = 2000
    # Near-linear, not linear (titles are matched through a sorted index), so its growth ratio
    # is near the quadratic one on a busy machine; a second of CPU is 3x what it takes.
    start = time.process_time()
    record = read(_many_options(count), "0001-many-options.md").record
    elapsed = time.process_time() - start

    assert elapsed < LIMIT
    assert len(record.scenarios) == count
    assert record.scenarios[1234].points[0].text == "1234"
    assert record.chosen == f"Option {count - 1}"


def _support_lists(count: int) -> str:
    lists = "".join(
        f"#### S{i}\n\nS{i} supports the following Auth types:\n\n- Key {i}\n- Token\n\n"
        for i in range(count)
    )
    return f"---\ntitle: Decide on Auth\n---\n\n## Considerations\n\n### Auth\n\n{lists}"


def test_it_reads_10000_support_lists_of_a_consideration_in_linear_time():
    # Each `#### <scenario>` list once looked its options up among all those before it.
    record = read(_support_lists(10_000), "decide-on-auth.md").record

    assert _growth(_support_lists, 1_250, "decide-on-auth.md") < GROWTH
    (auth,) = record.considerations
    assert len(auth.options) == 10_001
    assert len(auth.options[1].support) == 10_000  # `Token`, listed under every scenario


def test_it_still_matches_options_that_share_a_title_in_order():
    text = (
        "# T\n\n## Considered Options\n\n* Same\n* Same\n\n## Pros and Cons of the Options\n\n"
        "### Same\n\n* Good, because first\n\n### Same\n\n* Bad, because second\n"
    )

    record = read(text, "0001-t.md").record

    assert [[p.text for p in s.points] for s in record.scenarios] == [["first"], ["second"]]


def test_it_refuses_front_matter_nested_3000_deep_without_parsing_it():
    # PyYAML's scanner took 1.2-2.8 s on this before giving up; every preview view paid it again.
    text = "---\nstatus: " + "[" * 3000 + "]" * 3000 + "\n---\n# X\n"
    start = time.process_time()
    with pytest.raises(ReadError, match="nested too deeply"):
        read(text, "0009-x.md")
    assert time.process_time() - start < 0.1


def test_it_still_reads_front_matter_that_nests_a_little():
    text = "---\nstatus: accepted\ntags: [a, b]\nx: {a: [1, {b: [2]}]}\n---\n# X\n"

    assert read(text, "0009-x.md").record.tags == ["a", "b"]
