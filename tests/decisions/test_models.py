import pytest
from django.db import IntegrityError, transaction

from apps.decisions.models import AuthOption, Consideration, Decision, Relation, Scenario, Support

from ..factories import make_decision, make_matrix, make_workspace


def test_it_numbers_decisions_per_workspace(db):
    first, second = make_workspace("one"), make_workspace("two")
    make_decision(first, "A")
    make_decision(first, "B")
    assert Decision.next_number(first) == 3
    assert Decision.next_number(second) == 1


def test_it_refuses_a_second_decision_with_the_same_number(workspace):
    make_decision(workspace, "A", number=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_decision(workspace, "B", number=7)


def test_it_refuses_a_second_matrix_cell_for_one_pair(workspace):
    decision = make_decision(workspace)
    scenario = Scenario.objects.create(decision=decision, title="REST API")
    option = AuthOption.objects.create(
        consideration=Consideration.objects.create(decision=decision, title="Auth"), title="IAM"
    )
    Support.objects.create(option=option, scenario=scenario, level="supported")
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(option=option, scenario=scenario, level="not")


def test_it_refuses_a_relation_to_itself(workspace):
    decision = make_decision(workspace)
    with pytest.raises(IntegrityError), transaction.atomic():
        Relation.objects.create(source=decision, target=decision, kind="supersedes")


def test_it_refuses_an_unknown_status(workspace):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_decision(workspace, status="maybe")


def test_it_builds_the_record_with_the_matrix_in_scenario_order(workspace):
    decision = make_decision(workspace)
    make_matrix(decision, scenarios=2, options=1)
    record = Decision.objects.with_record().get(pk=decision.pk).to_record()
    option = record.considerations[0].options[0]
    assert [s.title for s in record.scenarios] == ["Scenario 0", "Scenario 1"]
    assert [c.scenario for c in option.support] == ["Scenario 0", "Scenario 1"]
    assert {c.level for c in option.support} == {"supported"}


def test_it_shows_relations_from_both_sides(workspace):
    old = make_decision(workspace, "Old way")
    new = make_decision(workspace, "New way")
    Relation.objects.create(source=new, target=old, kind="supersedes")
    old_record = Decision.objects.with_record().get(pk=old.pk).to_record()
    new_record = Decision.objects.with_record().get(pk=new.pk).to_record()
    assert [(r.kind, r.number) for r in new_record.relations] == [("supersedes", 2 - 1)]
    assert [(r.kind, r.title) for r in old_record.relations] == [("superseded_by", "New way")]


def test_it_slugs_titles_with_slashes_as_words(workspace):
    decision = make_decision(workspace, "Decide on WAF Requirements/Strategy", number=5)
    assert decision.file_stem == "0005-decide-on-waf-requirements-strategy"
