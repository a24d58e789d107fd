"""The Django admin saves a decision through the same optimistic lock as the editor."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from apps.decisions.models import Decision, Relation, Scenario

from ..factories import make_decision, make_user


def _admin_form(decision: Decision, seen: int, **changes):
    request = RequestFactory().post("/")
    request.user = make_user("root", is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[Decision]
    form_class = model_admin.get_form(request, decision, change=True)
    data = {
        "workspace": decision.workspace_id,
        "number": decision.number,
        "title": decision.title,
        "seen_revision": seen,
        **changes,
    }
    return model_admin, request, form_class(data, instance=decision)


def test_it_refuses_an_admin_save_over_someone_elses(workspace):
    decision = make_decision(workspace, context="Ours")
    opened_at = decision.revision
    assert Decision.objects.get(pk=decision.pk).bump_revision(opened_at, context="Theirs")

    _, _, form = _admin_form(Decision.objects.get(pk=decision.pk), opened_at, context="Mine")

    assert not form.is_valid()
    assert "Someone saved this decision since you opened it" in str(form.errors)
    assert Decision.objects.get(pk=decision.pk).context == "Theirs"


def test_it_saves_an_admin_edit_at_the_next_revision(workspace):
    decision = make_decision(workspace, context="Ours")
    model_admin, request, form = _admin_form(decision, decision.revision, context="Mine")
    assert form.is_valid(), form.errors

    model_admin.save_model(request, form.save(commit=False), form, change=True)

    saved = Decision.objects.get(pk=decision.pk)
    assert (saved.context, saved.revision) == ("Mine", 2)


def test_it_refuses_an_admin_save_that_loses_the_race_after_its_check(workspace):
    decision = make_decision(workspace, context="Ours")
    model_admin, request, form = _admin_form(decision, decision.revision, context="Mine")
    assert form.is_valid(), form.errors
    # Someone else saves between the form's check and the admin's write.
    assert Decision.objects.get(pk=decision.pk).bump_revision(1, context="Theirs")

    with pytest.raises(ValidationError):
        model_admin.save_model(request, form.save(commit=False), form, change=True)

    assert Decision.objects.get(pk=decision.pk).context == "Theirs"


def test_it_shows_a_scenario_renamed_on_its_own_admin_page_on_the_next_read(client, people):
    decision = make_decision(people["workspace"])
    scenario = Scenario.objects.create(decision=decision, title="Managed gateway", position=1)
    client.force_login(people["ada"])
    assert "Managed gateway" in client.get(decision.get_absolute_url()).content.decode()
    root = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(root)

    answer = client.post(
        f"/admin/decisions/scenario/{scenario.pk}/change/",
        {
            "decision": decision.pk,
            "title": "Self-hosted gateway",
            "description": "",
            "position": 1,
            "points-TOTAL_FORMS": 0,
            "points-INITIAL_FORMS": 0,
        },
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert Decision.objects.get(pk=decision.pk).revision == decision.revision + 1
    client.force_login(people["ada"])
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Self-hosted gateway" in page and "Managed gateway" not in page


def test_it_moves_both_ends_of_a_relation_deleted_in_the_admin(client, people):
    source = make_decision(people["workspace"], title="Use Kong")
    target = make_decision(people["workspace"], title="Use a gateway")
    relation = Relation.objects.create(source=source, target=target, kind="relates_to")
    client.force_login(make_user("root", is_staff=True, is_superuser=True))

    answer = client.post(f"/admin/decisions/relation/{relation.pk}/delete/", {"post": "yes"})

    assert answer.status_code == 302
    assert {d.revision for d in Decision.objects.filter(pk__in=[source.pk, target.pk])} == {2}
