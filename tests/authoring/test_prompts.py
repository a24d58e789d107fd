"""Kit prompts are prompts: shown as placeholders, never saved, missing until written."""

import html as html_lib

import pytest

from apps.authoring.management.commands.load_kits import KITS_DIR
from apps.authoring.models import Kit, Prompt
from apps.decisions.completeness import gaps
from apps.decisions.models import Decision, Scenario

from .helpers import post, url

KIT_SLUGS = sorted(path.stem for path in KITS_DIR.glob("*.yaml"))


def missing(decision) -> list[str]:
    return [g.label for g in gaps(Decision.objects.with_record().get(pk=decision.pk).to_record())]


@pytest.mark.parametrize("slug", KIT_SLUGS)
def test_it_lists_the_problem_and_every_kit_prompt_as_missing_until_written(
    slug, kits, workspace, author, author_client
):
    kit = kits[slug]
    decision = kit.start(workspace, owner=author)
    own, per_scenario = kit.prompts()
    labels = missing(decision)
    # The problem is always the author's to write, whatever the kit says about it.
    assert "The problem statement is empty." in labels
    assert decision.context == ""
    expected = {
        "context": "The problem statement is empty.",
        "drivers": "No decision drivers are listed.",
    }
    for name in own:
        assert expected[name] in labels, (slug, name)
        assert getattr(decision, name) in ("", None)  # never saved as the text
    for title, fields in per_scenario.items():
        scenario = Scenario.objects.get(decision=decision, title=title)
        assert "description" in fields and scenario.description == ""
        assert f"Scenario “{title}” has no description." in labels
    stored = dict(Prompt.objects.filter(decision=decision).values_list("field", "text"))
    assert len(stored) == len(own) + sum(len(f) for f in per_scenario.values())

    # Shown as placeholders where the author writes...
    page = author_client.get(url(decision, "problem/")).content.decode()
    for name, text in own.items():
        assert f'placeholder="{html_lib.escape(text, quote=True)}"' in page, (slug, name)
    # ...and once written, no longer missing.
    data = {"title": decision.title, "context": "Our own words.", "drivers": "Cost"}
    assert post(author_client, decision, "part/problem/", data).status_code == 302
    labels = missing(decision)
    assert "The problem statement is empty." not in labels
    assert "No decision drivers are listed." not in labels
    for title in per_scenario:
        scenario = Scenario.objects.get(decision=decision, title=title)
        key = f"scenario-{scenario.pk}"
        row = {f"{key}-title": title, f"{key}-description": "What it is, in our words."}
        assert post(author_client, decision, f"scenario/{scenario.pk}/", row).status_code == 302
    labels = missing(decision)
    assert not [t for t in per_scenario if f"Scenario “{t}” has no description." in labels]


def test_every_kit_that_gives_a_problem_gives_it_as_a_prompt(kits):
    # The instructions of the kits ("Describe the APIs about to be published…") are prompts.
    for kit in Kit.objects.all():
        assert not kit.record().context.strip(), kit.slug
    assert "Describe the APIs about to be published" in kits["api-gateway"].prompts()[0]["context"]


def test_it_shows_a_scenario_prompt_as_its_placeholder(kits, workspace, author, author_client):
    decision = kits["madr-4"].start(workspace, owner=author)
    page = author_client.get(url(decision, "scenarios/")).content.decode()
    assert 'placeholder="Rename this option and describe it."' in page
    assert ">\nRename this option" not in page
