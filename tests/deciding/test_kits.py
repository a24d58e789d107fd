"""A kit's questions: data in its YAML, checked when an admin saves the kit."""

import pytest
import yaml
from django.core.exceptions import ValidationError

from apps.authoring.management.commands.load_kits import load_kits
from apps.authoring.models import Kit, KitChoice, _load
from apps.authoring.questions import parse

pytestmark = pytest.mark.django_db

BODY = {
    "title": "Pick a queue",
    "scenarios": [{"title": "SQS"}, {"title": "Kafka"}],
    "considerations": [{"title": "Auth", "options": [{"title": "IAM"}]}],
}


def kit_with(questions) -> Kit:
    body = yaml.safe_dump({**BODY, "questions": questions}, sort_keys=False)
    return Kit(slug="queue", name="Queue", body=body)


def test_it_loads_the_questions_of_the_three_starter_kits():
    kits = {k.slug: k for k in load_kits()}
    asked = {slug: [q.key for q in kits[slug].questions()] for slug in kits}
    assert asked["api-gateway"] == ["api-keys", "push", "waf-validation", "callers", "cost"]
    assert len(asked["waf-strategy"]) == 3 and len(asked["database-choice"]) == 3
    assert asked["blank"] == []
    keys = kits["api-gateway"].questions()[0].choice("Yes")
    assert keys.needs == ("API key",)


def test_it_remembers_which_kit_a_draft_is_decided_with(workspace):
    load_kits()
    draft = Kit.objects.get(slug="waf-strategy").start(workspace)
    assert KitChoice.objects.get(decision=draft).kit.slug == "waf-strategy"


def test_it_accepts_a_kit_whose_questions_name_its_scenarios_and_options():
    kit = kit_with(
        [
            {
                "key": "ordering",
                "ask": "Must messages keep their order?",
                "answers": [
                    {"label": "Yes", "requires": ["Kafka"], "driver": "Order is kept."},
                    {"label": "No", "favours": "SQS", "needs": ["IAM"]},
                ],
            }
        ]
    )
    kit.full_clean()
    choice = kit.questions()[0].choice("Yes")
    assert choice.ruled_out(["SQS", "Kafka"]) == ["SQS"]


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ("not a list", "questions must be a list."),
        ([{"key": "Bad Key", "ask": "?", "answers": []}], "needs a key of lower-case letters"),
        ([{"key": "a", "ask": "", "answers": []}], "needs its question (ask)"),
        ([{"key": "a", "ask": "A?", "answers": [{"label": "Yes"}]}], "between 2 and 12 answers"),
        (
            [{"key": "a", "ask": "A?", "answers": [{"label": "Yes"}, {"label": "Yes"}]}],
            "needs its own label",
        ),
        (
            [
                {"key": "a", "ask": "A?", "answers": [{"label": "Y"}, {"label": "N"}]},
                {"key": "a", "ask": "B?", "answers": [{"label": "Y"}, {"label": "N"}]},
            ],
            "Two questions have the key “a”.",
        ),
        (
            [
                {
                    "key": "a",
                    "ask": "A?",
                    "answers": [{"label": "Y", "requires": "RabbitMQ"}, {"label": "N"}],
                }
            ],
            "names the scenario “RabbitMQ”",
        ),
        (
            [
                {
                    "key": "a",
                    "ask": "A?",
                    "answers": [{"label": "Y", "needs": ["mTLS"]}, {"label": "N"}],
                }
            ],
            "needs the option “mTLS”",
        ),
        (
            [
                {
                    "key": "a",
                    "ask": "A?",
                    "answers": [{"label": "Y", "rules_out": {"x": 1}}, {"label": "N"}],
                }
            ],
            "must be a list of titles",
        ),
        (
            [
                {"key": f"q{i}", "ask": "A?", "answers": [{"label": "Y"}, {"label": "N"}]}
                for i in range(51)
            ],
            "at most 50",
        ),
    ],
)
def test_it_refuses_questions_that_are_not_valid(questions, message):
    with pytest.raises(ValidationError) as refused:
        kit_with(questions).full_clean()
    assert message in str(refused.value)


def test_it_refuses_a_question_too_long_for_an_answer_row():
    with pytest.raises(ValueError, match="up to 300"):
        parse([{"key": "a", "ask": "x" * 301, "answers": [{"label": "Y"}, {"label": "N"}]}])


def test_a_kit_without_questions_asks_none():
    assert Kit(slug="k", name="K", body="title: T\n").questions() == []


def test_the_admin_shows_a_kits_questions_and_refuses_bad_ones(admin_client):
    load_kits()
    kit = Kit.objects.get(slug="api-gateway")
    page = admin_client.get(f"/admin/authoring/kit/{kit.pk}/change/").content.decode()
    assert "Questions the Decide step asks" in page
    assert "Do partners need API keys and per-client quotas?" in page
    bad = yaml.safe_dump({**BODY, "questions": [{"key": "a", "ask": "A?", "answers": []}]})
    response = admin_client.post(
        f"/admin/authoring/kit/{kit.pk}/change/",
        {"slug": kit.slug, "name": kit.name, "kind": kit.kind, "position": 0, "body": bad},
    )
    assert response.status_code == 200
    assert "The questions are not valid" in response.content.decode()
    assert Kit.objects.get(pk=kit.pk).body == kit.body


@pytest.mark.parametrize(
    "body", ["title: [Pick a queue\n", "- just\n- a list\n", "title: !!python/name:os.system\n"]
)
def test_it_refuses_a_body_that_is_not_a_yaml_mapping_or_not_safe(body):
    with pytest.raises(ValidationError, match="This is not a decision record"):
        Kit(slug="k", name="K", body=body).full_clean()


def test_it_gives_each_reader_of_a_kit_its_own_copy_of_the_parsed_body():
    # Parsed once per text and shared: a caller that changes its copy changes no one else's.
    body = "title: T\nscenarios: [{title: SQS}]\n"
    mine = _load(body)
    mine["scenarios"].append({"title": "Kafka"})
    mine["title"] = "Changed"

    assert _load(body) == {"title": "T", "scenarios": [{"title": "SQS"}]}
