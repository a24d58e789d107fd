"""Deciding together: answers, weights and scores conflict per value, never per decision.

Each test loads the step as two people do, changes what each of them would change, and posts
what their browsers would post, with the bases their pages were shown.
"""

import pytest
from django.test import Client

from apps.authoring.merging import token
from apps.decisions.models import Answer, Criterion, Decision, Score

from ..factories import add_member, make_user
from .helpers import form_data, gateway_draft, scenario, url

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def draft(workspace, author):
    return gateway_draft(workspace, owner=author)


@pytest.fixture
def coauthor(workspace):
    other = Client()
    user = make_user("bo")
    add_member(workspace, user, "author")
    other.force_login(user)
    return other


def page(client, decision) -> str:
    response = client.get(url(decision))
    assert response.status_code in (200, 409)
    return response.content.decode()


def answer_of(decision, key: str) -> tuple[str, str] | None:
    found = Answer.objects.filter(decision=decision, key=key).first()
    return (found.answer, found.note) if found else None


# --- Answers ---------------------------------------------------------------------------------


def test_it_saves_two_peoples_answers_to_different_questions(author_client, coauthor, draft):
    mine = form_data(page(author_client, draft), "answer-push")
    theirs = form_data(page(coauthor, draft), "answer-api-keys")
    theirs["answer"] = "Yes"
    assert coauthor.post(url(draft, "answer/api-keys/"), theirs).status_code == 302
    mine["answer"] = "No, clients ask for them"
    assert author_client.post(url(draft, "answer/push/"), mine).status_code == 302
    assert answer_of(draft, "api-keys") == ("Yes", "")
    assert answer_of(draft, "push") == ("No, clients ask for them", "")


def test_it_saves_one_persons_answer_and_anothers_note_on_the_same_question(
    author_client, coauthor, draft
):
    Answer.objects.create(
        decision=draft,
        key="push",
        question="Must the server push results to clients?",
        answer="Yes",
    )
    mine = form_data(page(author_client, draft), "answer-push")
    theirs = form_data(page(coauthor, draft), "answer-push")
    theirs["note"] = "Dashboards poll today."
    assert coauthor.post(url(draft, "answer/push/"), theirs, headers=HTMX).status_code == 200
    mine["answer"] = "No, clients ask for them"
    assert author_client.post(url(draft, "answer/push/"), mine, headers=HTMX).status_code == 200
    assert answer_of(draft, "push") == ("No, clients ask for them", "Dashboards poll today.")
    # What the answer means follows the answer now stored.
    answer = Answer.objects.get(decision=draft, key="push")
    assert [s.title for s in answer.rules_out.all()] == ["WebSocket API"]


def test_it_shows_both_answers_when_two_people_change_the_same_one(author_client, coauthor, draft):
    mine = form_data(page(author_client, draft), "answer-push")
    theirs = form_data(page(coauthor, draft), "answer-push")
    theirs["answer"] = "Yes"
    assert coauthor.post(url(draft, "answer/push/"), theirs).status_code == 302
    revision = Decision.objects.get(pk=draft.pk).revision

    mine["answer"] = "No, clients ask for them"
    response = author_client.post(url(draft, "answer/push/"), mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this answer after you opened it." in html
    assert "Saved by someone else:</span> Yes" in html
    shown = form_data(html, "answer-push")
    assert shown["answer"] == "No, clients ask for them"
    # Nothing of mine is written until I choose; theirs stands.
    assert answer_of(draft, "push") == ("Yes", "")
    assert Decision.objects.get(pk=draft.pk).revision == revision

    # "Keep my answer" posts the conflict form, now based on theirs: mine is saved over it.
    assert author_client.post(url(draft, "answer/push/"), shown).status_code == 302
    assert answer_of(draft, "push") == ("No, clients ask for them", "")
    # "Yes" ruled REST and HTTP out; "No" rules out WebSocket.
    answer = Answer.objects.get(decision=draft, key="push")
    assert [s.title for s in answer.rules_out.all()] == ["WebSocket API"]


def test_it_swaps_the_conflict_in_place_with_htmx_and_resolves_it(author_client, coauthor, draft):
    mine = form_data(page(author_client, draft), "answer-push")
    theirs = form_data(page(coauthor, draft), "answer-push")
    theirs["answer"] = "Yes"
    assert coauthor.post(url(draft, "answer/push/"), theirs, headers=HTMX).status_code == 200

    mine["answer"] = "No, clients ask for them"
    response = author_client.post(url(draft, "answer/push/"), mine, headers=HTMX)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "this" and response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="answer-push" class="autosave answer conflict"')
    assert "Saved by someone else:</span> Yes" in html
    assert answer_of(draft, "push") == ("Yes", "")

    response = author_client.post(
        url(draft, "answer/push/"), form_data(html, "answer-push"), headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="answer-push" class="autosave answer"')
    assert "conflict" not in html
    assert answer_of(draft, "push") == ("No, clients ask for them", "")
    # The ranking follows: the page fetches it after the save's event, as after any autosave.
    assert "adroit:saved" in response["HX-Trigger"]


def test_it_keeps_a_note_written_before_the_answer_and_saves_it_with_the_answer(
    author_client, draft
):
    data = form_data(page(author_client, draft), "answer-push")
    data["note"] = "Dashboards poll."
    response = author_client.post(url(draft, "answer/push/"), data, headers=HTMX)
    assert response.status_code == 200
    assert answer_of(draft, "push") is None  # a note needs an answer
    # Its base stays what is stored (nothing), so the page's next save still carries it.
    assert f'name="note__base" value="{token("")}"' in response.content.decode()
    data["answer"] = "Yes"
    assert author_client.post(url(draft, "answer/push/"), data, headers=HTMX).status_code == 200
    assert answer_of(draft, "push") == ("Yes", "Dashboards poll.")


# --- Weights and scores ----------------------------------------------------------------------


LATENCY = 1  # the kit's second driver: "Latency and cost per request matter ..."


def test_it_saves_one_persons_weight_and_anothers_score_on_the_same_driver(
    author_client, coauthor, draft
):
    http = scenario(draft, "HTTP API")
    form = f"criterion-{LATENCY}"
    mine = form_data(page(author_client, draft), form)
    theirs = form_data(page(coauthor, draft), form)
    theirs[f"score-{http.pk}"] = "2"
    assert coauthor.post(url(draft, f"criterion/{LATENCY}/"), theirs).status_code == 302
    mine["weight"] = "5"
    assert author_client.post(url(draft, f"criterion/{LATENCY}/"), mine).status_code == 302
    criterion = Criterion.objects.get(decision=draft, position=LATENCY)
    assert criterion.weight == 5
    assert {s.scenario.title: s.value for s in criterion.scores.all()} == {"HTTP API": 2}


def test_it_saves_two_peoples_scores_of_different_scenarios(author_client, coauthor, draft):
    rest, http = scenario(draft, "REST API"), scenario(draft, "HTTP API")
    form = f"criterion-{LATENCY}"
    mine = form_data(page(author_client, draft), form)
    theirs = form_data(page(coauthor, draft), form)
    theirs[f"score-{http.pk}"] = "2"
    assert (
        coauthor.post(url(draft, f"criterion/{LATENCY}/"), theirs, headers=HTMX).status_code == 200
    )
    mine[f"score-{rest.pk}"] = "-1"
    assert (
        author_client.post(url(draft, f"criterion/{LATENCY}/"), mine, headers=HTMX).status_code
        == 200
    )
    scores = Score.objects.filter(criterion__decision=draft)
    assert {s.scenario.title: s.value for s in scores} == {"HTTP API": 2, "REST API": -1}


@pytest.mark.parametrize("value", ["weight", "score"])
def test_it_shows_both_values_when_two_people_change_the_same_one(
    author_client, coauthor, draft, value
):
    http = scenario(draft, "HTTP API")
    name, theirs_value, my_value = (
        ("weight", "5", "1") if value == "weight" else (f"score-{http.pk}", "2", "-2")
    )
    form = f"criterion-{LATENCY}"
    mine = form_data(page(author_client, draft), form)
    theirs = form_data(page(coauthor, draft), form)
    theirs[name] = theirs_value
    assert coauthor.post(url(draft, f"criterion/{LATENCY}/"), theirs).status_code == 302

    def stored() -> int:
        criterion = Criterion.objects.get(decision=draft, position=LATENCY)
        if value == "weight":
            return criterion.weight
        return criterion.scores.get(scenario=http).value

    mine[name] = my_value
    response = author_client.post(url(draft, f"criterion/{LATENCY}/"), mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this after you opened it" in html
    assert f"Theirs:</span> {'+2' if value == 'score' else '5'}" in html
    shown = form_data(html, form)
    assert shown[name] == my_value
    assert stored() == int(theirs_value)

    assert author_client.post(url(draft, f"criterion/{LATENCY}/"), shown).status_code == 302
    assert stored() == int(my_value)
