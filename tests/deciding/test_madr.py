"""The criteria table in MADR: written under Pros and Cons, read back into the same record."""

from hypothesis import given
from hypothesis import strategies as st

from apps.formats.readers import read
from apps.formats.record import AnswerEntry, CriterionEntry, ScoreEntry
from apps.formats.writers import write, write_madr

from .test_ranking import SCENARIOS, gateway


def plain_title(text: str) -> bool:
    """A driver as a person writes one: not Markdown structure of its own."""
    return bool(text) and not text.startswith(("#", "*", "-", "+", ">", "|")) and "\\" not in text


def round_trip(record):
    return read(write_madr(record), "0001-decide.md").record


def test_it_reads_back_the_answers_weights_and_scores_it_wrote():
    record = gateway(
        drivers=["Latency and cost per request matter", "Partners use API keys"],
        answers=[
            AnswerEntry(
                "Do partners need API keys and per-client quotas?",
                "Yes",
                "The partner programme starts in Q3 | pipes stay text",
                needs=["API key"],
            ),
            AnswerEntry("Must the server push results?", "No", rules_out=["WebSocket API"]),
            AnswerEntry("Cost a concern?", "Yes, high volume", favours=["HTTP API", "REST API"]),
        ],
        criteria=[
            CriterionEntry(
                "Latency and cost per request matter",
                4,
                [
                    ScoreEntry("REST API", -1),
                    ScoreEntry("HTTP API", 2),
                    ScoreEntry("WebSocket API", 0),
                ],
            ),
            CriterionEntry("Partners use API keys", 5, [], option="API key"),
        ],
    )
    markdown = write_madr(record)
    assert "### Weighted Criteria" in markdown
    assert "| Latency and cost per request matter | 4 | -1 | +2 | 0 |" in markdown
    assert "| Partners use API keys (option: API key) | 5 | supported | not supported |" in markdown
    assert "Suggested: REST API, the only scenario that meets all required answers." in markdown
    back = read(markdown, "0001-decide.md").record
    assert back.answers == record.answers
    assert back.criteria == record.criteria
    assert back.drivers == record.drivers
    # The section is not mistaken for a fourth option.
    assert [s.title for s in back.scenarios] == SCENARIOS


@given(
    st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1)
            .map(lambda t: " ".join(t.split()))
            .filter(plain_title),
            st.integers(min_value=1, max_value=5),
            st.lists(st.integers(min_value=-2, max_value=2), min_size=3, max_size=3),
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda row: row[0],
    )
)
def test_it_reads_back_any_weights_and_scores(rows):
    record = gateway(
        criteria=[
            CriterionEntry(
                title, w, [ScoreEntry(t, s) for t, s in zip(SCENARIOS, scores, strict=True)]
            )
            for title, w, scores in rows
            if "(option: " not in title
        ]
    )
    if not record.criteria:
        return
    assert round_trip(record).criteria == record.criteria


def test_it_writes_nothing_for_a_decision_without_criteria():
    markdown = write_madr(gateway())
    assert "Weighted Criteria" not in markdown


def test_it_keeps_an_option_titled_weighted_criteria_as_an_option():
    text = (
        "# Pick\n\n## Considered Options\n\n* Weighted Criteria\n* Other\n\n"
        "## Pros and Cons of the Options\n\n### Weighted Criteria\n\n* Good, because it weighs\n"
    )
    back = read(text, "0001-pick.md").record
    assert [s.title for s in back.scenarios] == ["Weighted Criteria", "Other"]
    assert back.scenarios[0].points[0].text == "it weighs"
    assert back.criteria == []


def test_it_keeps_a_malformed_table_as_an_option_section():
    text = (
        "# Pick\n\n## Considered Options\n\n* A\n\n## Pros and Cons of the Options\n\n"
        "### Weighted Criteria\n\n| Criterion | Weight | A |\n| --- | --- | --- |\n"
        "| Cost | 9 | +1 |\n"
    )
    back = read(text, "0001-pick.md").record
    assert back.criteria == []
    assert "Weighted Criteria" in [s.title for s in back.scenarios]


def test_it_writes_the_criteria_in_every_format_and_reads_back_the_decide_on_page():
    record = gateway(
        drivers=["Cost"],
        answers=[AnswerEntry("Keys?", "Yes", needs=["API key"])],
        criteria=[CriterionEntry("Cost", 2, [ScoreEntry(t, 1) for t in SCENARIOS])],
    )
    for fmt in ["madr", "nygard", "log4brains", "decide-on"]:
        assert "### Weighted Criteria" in write(record, fmt), fmt
    back = read(write(record, "decide-on"), "decide-on-gateway.md", "decide-on").record
    assert [s.title for s in back.scenarios] == SCENARIOS
    assert (back.answers, back.criteria) == (record.answers, record.criteria)
