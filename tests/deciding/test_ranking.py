"""The ranking: rule out what an answer excludes, then the weighted sum, as the test computes it."""

from hypothesis import given
from hypothesis import strategies as st

from apps.formats.criteria import rank
from apps.formats.record import (
    AnswerEntry,
    AuthOptionEntry,
    ConsiderationEntry,
    CriterionEntry,
    Record,
    ScenarioEntry,
    ScoreEntry,
    SupportEntry,
)

SCENARIOS = ["REST API", "HTTP API", "WebSocket API"]


def gateway(**fields) -> Record:
    """The API gateway kit's three kinds of API and its API key row of the matrix."""
    api_key = AuthOptionEntry(
        "API key",
        support=[
            SupportEntry("REST API", "supported"),
            SupportEntry("HTTP API", "not"),
            SupportEntry("WebSocket API", "not"),
        ],
    )
    return Record(
        title="Decide on API Gateway Requirements",
        scenarios=[ScenarioEntry(t) for t in SCENARIOS],
        considerations=[ConsiderationEntry("Authentication", options=[api_key])],
        **fields,
    )


criteria_lists = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=5),
        st.lists(st.integers(min_value=-2, max_value=2), min_size=3, max_size=3),
    ),
    max_size=6,
)


@given(criteria_lists)
def test_it_ranks_by_the_weighted_sum_the_test_computes(rows):
    record = gateway(
        criteria=[
            CriterionEntry(
                f"Driver {i}",
                weight,
                [ScoreEntry(t, s) for t, s in zip(SCENARIOS, scores, strict=True)],
            )
            for i, (weight, scores) in enumerate(rows)
        ]
    )
    expected = {
        title: sum(weight * scores[j] for weight, scores in rows)
        for j, title in enumerate(SCENARIOS)
    }
    ranking = rank(record)
    assert {s.scenario: s.total for s in ranking.standings} == expected
    totals = [s.total for s in ranking.standings]
    assert totals == sorted(totals, reverse=True)
    best = max(expected.values())
    leaders = [t for t in SCENARIOS if expected[t] == best]
    if rows and len(leaders) == 1:
        assert ranking.suggested == leaders[0]
        assert f"({best} vs " in ranking.reason
    else:
        assert ranking.suggested == ""


@given(criteria_lists, st.sets(st.sampled_from(SCENARIOS)))
def test_it_never_suggests_a_scenario_an_answer_rules_out(rows, out):
    record = gateway(
        answers=[AnswerEntry("Must it?", "Yes", rules_out=sorted(out))],
        criteria=[
            CriterionEntry(
                f"D{i}", w, [ScoreEntry(t, s) for t, s in zip(SCENARIOS, scores, strict=True)]
            )
            for i, (w, scores) in enumerate(rows)
        ],
    )
    ranking = rank(record)
    assert ranking.suggested not in out
    ruled = [s for s in ranking.standings if s.ruled_out]
    assert {s.scenario for s in ruled} == out
    # Those ruled out come last, whatever their score.
    assert ranking.standings[len(SCENARIOS) - len(out) :] == ruled


def test_it_suggests_rest_when_partners_need_api_keys():
    record = gateway(answers=[AnswerEntry("Do partners need API keys?", "Yes", needs=["API key"])])
    ranking = rank(record)
    assert ranking.suggested == "REST API"
    http = next(s for s in ranking.standings if s.scenario == "HTTP API")
    assert http.unmet == ["Do partners need API keys? Yes"]
    assert ranking.reason.startswith("Suggested: REST API, the only scenario")


def test_it_says_when_no_scenario_meets_a_required_answer():
    record = gateway(
        answers=[
            AnswerEntry("Must it run on premises?", "Yes", rules_out=list(SCENARIOS)),
        ]
    )
    ranking = rank(record)
    assert ranking.suggested == ""
    assert ranking.reason == "No suggestion: no scenario meets “Must it run on premises? Yes”."


def test_it_says_when_answers_together_leave_nothing():
    record = gateway(
        answers=[
            AnswerEntry("Partners need API keys?", "Yes", needs=["API key"]),
            AnswerEntry("Must the server push?", "Yes", rules_out=["REST API", "HTTP API"]),
        ]
    )
    ranking = rank(record)
    assert ranking.suggested == ""
    assert "no scenario meets all the required answers together" in ranking.reason


def test_it_scores_an_authentication_need_by_the_matrix():
    record = gateway(criteria=[CriterionEntry("Partners use API keys", 5, [], option="API key")])
    totals = {s.scenario: s.total for s in rank(record).standings}
    assert totals == {"REST API": 10, "HTTP API": -10, "WebSocket API": -10}


def test_it_says_a_tie_instead_of_picking_one():
    record = gateway(
        criteria=[CriterionEntry("Cost", 3, [ScoreEntry("REST API", 1), ScoreEntry("HTTP API", 1)])]
    )
    ranking = rank(record)
    assert ranking.suggested == ""
    assert "tie" in ranking.reason


def test_it_suggests_nothing_before_anything_is_answered_or_weighed():
    ranking = rank(gateway())
    assert ranking.suggested == ""
    assert [s.total for s in ranking.standings] == [0, 0, 0]
