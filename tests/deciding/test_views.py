"""The Decide step: answering, weighing, scoring and choosing, with and without JavaScript."""

import json

import pytest

from apps.authoring.merging import token
from apps.decisions.models import Answer, Criterion, Decision, Score
from apps.reviews.models import Contribution

from ..factories import make_decision, make_workspace
from .helpers import gateway_draft, live, post, scenario, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(workspace, author):
    return gateway_draft(workspace, owner=author)


def test_it_shows_the_kits_questions_and_the_ranking(author_client, draft):
    response = author_client.get(url(draft))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Do partners need API keys and per-client quotas?" in html
    assert "Must the server push results to clients?" in html
    assert "Answer the questions or weigh the drivers to get a suggestion." in html
    assert 'aria-current="step"' in html and "Decide" in html


def test_it_stores_an_answer_with_what_it_rules_out(author_client, draft):
    response = post(author_client, draft, "answer/api-keys/", {"answer": "Yes", "note": "Q3"})
    assert response.status_code == 302
    answer = Answer.objects.get(decision=draft, key="api-keys")
    assert (answer.answer, answer.note) == ("Yes", "Q3")
    assert [o.title for o in answer.needs.all()] == ["API key"]
    record = Decision.objects.with_record().get(pk=draft.pk).to_record()
    assert record.answers[0].needs == ["API key"]
    page = author_client.get(url(draft)).content.decode()
    assert "Suggested: REST API, the only scenario that meets all required answers." in page
    assert "Does not meet: Do partners need API keys and per-client quotas? Yes" in page


def test_it_answers_the_htmx_autosave_with_the_forms_bases_and_events(author_client, draft):
    before = Decision.objects.get(pk=draft.pk).revision
    response = post(author_client, draft, "answer/push/", {"answer": "Yes"}, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="answer-push-bases" class="bases" hidden hx-swap-oob="true">' in html
    assert f'name="answer__base" value="{token("Yes")}"' in html
    trigger = json.loads(response.headers["HX-Trigger"])
    assert trigger["adroit:saved"] == {"form": "answer-push"}
    assert trigger["adroit:revision"] == {"from": before, "value": before + 1}
    assert Contribution.objects.filter(decision=draft).exists()


def test_it_gives_the_ranking_and_effects_out_of_band_when_the_page_fetches_them(
    author_client, draft
):
    post(author_client, draft, "answer/push/", {"answer": "Yes"}, htmx=True)
    response = author_client.get(url(draft, "live/"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ranking" class="decide-ranking" aria-labelledby="ranking-heading"' in html
    assert 'aria-live="polite" hx-swap-oob="true"' in html
    assert "Suggested: WebSocket API, the only scenario" in html
    assert 'id="q-push-effect"' in html and "Not met by: REST API, HTTP API" in html
    assert 'id="stepbar"' in html and 'id="preview"' in html
    # Without htmx it is the step itself.
    assert author_client.get(url(draft, "live/")).status_code == 302


def test_it_clears_an_answer(author_client, draft):
    post(author_client, draft, "answer/push/", {"answer": "Yes"})
    post(author_client, draft, "answer/push/", {"answer": ""})
    assert not Answer.objects.filter(decision=draft).exists()


def test_it_refuses_an_answer_the_question_does_not_offer(author_client, draft):
    response = post(author_client, draft, "answer/push/", {"answer": "Maybe"}, htmx=True)
    assert response.status_code == 422
    assert "Choose one of the answers." in response.content.decode()
    assert not Answer.objects.filter(decision=draft).exists()


def test_it_refuses_a_huge_note_and_keeps_nothing(author_client, draft):
    response = post(author_client, draft, "answer/push/", {"answer": "Yes", "note": "x" * 5000})
    assert response.status_code == 422
    assert "Keep the note to 500 characters" in response.content.decode()
    assert not Answer.objects.filter(decision=draft).exists()


def test_it_404s_a_question_the_kit_does_not_ask(author_client, draft):
    assert post(author_client, draft, "answer/nope/", {"answer": "Yes"}).status_code == 404


def test_it_makes_an_answer_a_weighted_driver(author_client, draft):
    post(author_client, draft, "answer/push/", {"answer": "Yes"})
    response = post(author_client, draft, "driver/push/", htmx=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.drivers.splitlines()[-1] == "The server pushes results to connected clients."
    criterion = Criterion.objects.get(decision=draft)
    assert criterion.weight == 4
    scores = {s.scenario.title: s.value for s in Score.objects.filter(criterion=criterion)}
    assert scores == {"REST API": -2, "HTTP API": -2}
    # A second click adds nothing twice.
    post(author_client, draft, "driver/push/")
    draft.refresh_from_db()
    assert draft.drivers.count("The server pushes results") == 1


def test_it_makes_an_authentication_need_a_driver_scored_by_the_matrix(author_client, draft):
    post(author_client, draft, "answer/api-keys/", {"answer": "Yes"})
    post(author_client, draft, "driver/api-keys/")
    criterion = Criterion.objects.get(decision=draft)
    assert criterion.option.title == "API key"
    record = Decision.objects.with_record().get(pk=draft.pk).to_record()
    assert record.criteria[0].option == "API key"


def test_it_weighs_a_driver_and_reranks(author_client, draft):
    rest, http = scenario(draft, "REST API"), scenario(draft, "HTTP API")
    index = 1  # "Latency and cost per request matter for high-volume APIs."
    driver = draft.drivers.splitlines()[index]
    data = {"driver": driver, "weight": 5, f"score-{rest.pk}": -1, f"score-{http.pk}": 2}
    response = post(author_client, draft, f"criterion/{index}/", data, htmx=True)
    assert response.status_code == 200
    assert "Suggested: HTTP API, best weighted score (10 vs 0)." in live(author_client, draft)
    criterion = Criterion.objects.get(decision=draft, title=driver)
    assert criterion.weight == 5
    data["weight"] = 1
    response = post(author_client, draft, f"criterion/{index}/", data, htmx=True)
    assert "Suggested: HTTP API, best weighted score (2 vs 0)." in live(author_client, draft)


@pytest.mark.parametrize(
    "change",
    [{"weight": 6}, {"weight": "x"}, {"weight": 0}, {"score": 3}, {"score": "-9"}],
)
def test_it_refuses_weights_and_scores_out_of_range(author_client, draft, change):
    rest = scenario(draft, "REST API")
    driver = draft.drivers.splitlines()[0]
    data = {"driver": driver, "weight": change.get("weight", 3)}
    data[f"score-{rest.pk}"] = change.get("score", 1)
    response = post(author_client, draft, "criterion/0/", data)
    assert response.status_code == 422
    assert "A weight is 1 to 5 and a score −2 to +2." in response.content.decode()
    assert not Criterion.objects.filter(decision=draft).exists()


def test_it_refuses_to_weigh_a_driver_renamed_since_the_page_loaded(author_client, draft):
    data = {"driver": "A driver that is no longer listed", "weight": 4}
    response = post(author_client, draft, "criterion/0/", data)
    assert response.status_code == 422
    assert "This driver changed since the page loaded" in response.content.decode()


def test_it_ignores_scores_for_another_decisions_scenario(author_client, draft, workspace):
    other = gateway_draft(workspace)
    theirs = scenario(other, "REST API")
    driver = draft.drivers.splitlines()[0]
    data = {"driver": driver, "weight": 4, f"score-{theirs.pk}": 2}
    assert post(author_client, draft, "criterion/0/", data).status_code == 302
    assert not Score.objects.filter(scenario=theirs).exists()


def test_it_refuses_choosing_against_the_suggestion_without_a_reason(author_client, draft):
    post(author_client, draft, "answer/api-keys/", {"answer": "Yes"})
    http = scenario(draft, "HTTP API")
    response = post(author_client, draft, "choose/", {"scenario": http.pk}, htmx=True)
    assert response.status_code == 422
    assert "REST API is suggested, not HTTP API" in response.content.decode()
    assert Decision.objects.get(pk=draft.pk).chosen is None


def test_it_puts_the_reason_for_choosing_against_the_suggestion_in_the_rationale(
    author_client, draft
):
    post(author_client, draft, "answer/api-keys/", {"answer": "Yes"})
    http = scenario(draft, "HTTP API")
    reason = "Partners will get keys from our portal instead."
    response = post(author_client, draft, "choose/", {"scenario": http.pk, "reason": reason})
    assert response.status_code == 302
    saved = Decision.objects.get(pk=draft.pk)
    assert saved.chosen == http
    assert saved.rationale == f"Chosen over the suggested REST API: {reason}"


def test_it_chooses_the_suggestion_without_a_reason(author_client, draft):
    post(author_client, draft, "answer/api-keys/", {"answer": "Yes"})
    rest = scenario(draft, "REST API")
    assert post(author_client, draft, "choose/", {"scenario": rest.pk}).status_code == 302
    saved = Decision.objects.get(pk=draft.pk)
    assert (saved.chosen, saved.rationale) == (rest, "")


def test_it_refuses_choosing_from_a_stale_page(author_client, draft):
    rest = scenario(draft, "REST API")
    data = {"scenario": rest.pk, "revision": draft.revision - 1}
    response = post(author_client, draft, "choose/", data)
    assert response.status_code == 409
    assert Decision.objects.get(pk=draft.pk).chosen is None


def test_it_refuses_another_decisions_scenario_as_the_outcome(author_client, draft, workspace):
    other = gateway_draft(workspace)
    response = post(author_client, draft, "choose/", {"scenario": scenario(other, "REST API").pk})
    assert response.status_code == 422
    assert Decision.objects.get(pk=draft.pk).chosen is None


def test_it_refuses_the_outcome_step_against_the_suggestion_without_a_rationale(
    author_client, draft
):
    """The Outcome step's own form is held to the same rule, by the model."""
    post(author_client, draft, "answer/api-keys/", {"answer": "Yes"})
    decision = Decision.objects.with_record().get(pk=draft.pk)
    decision.chosen = scenario(draft, "WebSocket API")
    with pytest.raises(Exception, match="REST API is suggested, not WebSocket API"):
        decision.full_clean()
    decision.rationale = "The partners' clients need pushed results more than keys."
    decision.full_clean()


def test_it_offers_a_kits_questions_to_a_draft_not_started_from_one(author_client, workspace):
    decision = make_decision(workspace, "Pick an API")
    gateway_draft(make_workspace("elsewhere"))  # loads the kits
    page = author_client.get(url(decision)).content.decode()
    assert "Use these questions" in page
    response = author_client.post(url(decision, "kit/"), {"kit": "api-gateway"})
    assert response.status_code == 302
    assert "Do partners need API keys" in author_client.get(url(decision)).content.decode()
    assert author_client.post(url(decision, "kit/"), {"kit": "blank"}).status_code == 422


def test_it_is_read_only_once_in_review(author_client, draft):
    Decision.objects.filter(pk=draft.pk).update(status="in_review")
    response = post(author_client, draft, "answer/push/", {"answer": "Yes"})
    assert response.status_code == 409
    assert not Answer.objects.filter(decision=draft).exists()


def test_it_requires_edit_rights(client, team):
    draft = gateway_draft(team["workspace"], owner=team["ada"])
    client.force_login(team["vic"])
    assert client.get(url(draft)).status_code == 403
    assert post(client, draft, "answer/push/", {"answer": "Yes"}).status_code == 403
    client.force_login(team["olga"])
    assert post(client, draft, "choose/", {"scenario": 1}).status_code == 404


def test_it_rejects_get_on_saves(author_client, draft):
    for rest in ["answer/push/", "driver/push/", "criterion/0/", "choose/", "kit/"]:
        assert author_client.get(url(draft, rest)).status_code == 405


def test_its_queries_stay_constant_as_answers_and_drivers_grow(
    author_client, draft, django_assert_max_num_queries
):
    def answer(key: str, label: str) -> None:
        post(author_client, draft, f"answer/{key}/", {"answer": label})
        post(author_client, draft, f"driver/{key}/")

    answer("push", "No, clients ask for them")
    with django_assert_max_num_queries(60) as few:
        author_client.get(url(draft))
    count = len(few)
    answer("api-keys", "Yes")
    answer("waf-validation", "No, the backends do it")
    answer("cost", "Yes, high volume")
    with django_assert_max_num_queries(count):
        author_client.get(url(draft))


def test_it_shows_a_hostile_note_as_text(author_client, draft):
    note = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post(author_client, draft, "answer/push/", {"answer": "Yes", "note": note})
    page = author_client.get(url(draft)).content.decode()
    assert "<script>alert" not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;alert" in page
    detail = author_client.get(draft.get_absolute_url()).content.decode()
    assert "<script>alert" not in detail and "<img src=x" not in detail


def test_it_saves_nothing_when_the_answer_is_the_same_again(author_client, draft):
    post(author_client, draft, "answer/push/", {"answer": "Yes", "note": "soon"})
    revision = Decision.objects.get(pk=draft.pk).revision
    response = post(
        author_client, draft, "answer/push/", {"answer": "Yes", "note": "soon"}, htmx=True
    )
    assert response.status_code == 200 and "HX-Trigger" not in response.headers
    assert Decision.objects.get(pk=draft.pk).revision == revision
