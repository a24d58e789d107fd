"""Bidi control characters never reach a title or another one-line field."""

from django.contrib.auth import get_user_model

from apps.authoring.management.commands.load_kits import load_kits
from apps.authoring.models import Kit
from apps.core.text import without_bidi_controls
from apps.decisions.models import AuthOption, Consideration, Decision, Scenario

from ..factories import make_decision

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_it_removes_every_bidi_control_and_nothing_else():
    assert without_bidi_controls(f"Use {CONTROLS}gpj.exe ✓ עברית") == "Use gpj.exe ✓ עברית"


def test_it_cleans_the_title_typed_into_the_new_decision_form(author_client, workspace):
    load_kits()
    blank = Kit.objects.get(slug="blank")

    author_client.post(
        "/new/", {"workspace": "team", "kit": blank.pk, "title": "Approve \u202eexe.gpj"}
    )

    decision = Decision.objects.get(workspace=workspace)
    assert decision.title == "Approve exe.gpj"
    assert "\u202e" not in author_client.get(decision.get_absolute_url()).content.decode()


def test_it_cleans_one_line_fields_of_every_model_however_saved(workspace):
    decision = make_decision(workspace, "Pick \u2067a store\u2069")
    scenario = Scenario.objects.create(decision=decision, title="\u202dPeak load", position=0)
    consideration = Consideration.objects.create(decision=decision, title="Auth\u200f")
    option = AuthOption.objects.create(consideration=consideration, title="\u061cIAM", position=0)
    workspace.name = "Team \u202e"
    workspace.save()
    person = get_user_model().objects.create_user("ada", first_name="A\u202eda")

    assert [row.title for row in [decision, scenario, consideration, option]] == [
        "Pick a store",
        "Peak load",
        "Auth",
        "IAM",
    ]
    decision.refresh_from_db()
    assert (decision.title, workspace.name, person.first_name) == ("Pick a store", "Team ", "Ada")


def test_it_keeps_multi_line_text_as_written(workspace):
    decision = make_decision(workspace, "Store", context="שלום\u200f world")

    decision.refresh_from_db()
    assert decision.context == "שלום\u200f world"
