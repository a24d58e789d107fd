"""Remove with undo: a removed row is gone from everything at once, and comes back exactly."""

import datetime

from django.test import Client
from django.utils import timezone

from apps.authoring.models import Removal
from apps.decisions.completeness import gaps
from apps.decisions.models import AuthOption, Consideration, Decision, Scenario, Support

from ..factories import add_member, make_decision, make_user, make_workspace
from .helpers import post, url


def picture(decision) -> dict:
    """Everything about the scenarios and the matrix, as the record and the ids hold it."""
    decision = Decision.objects.with_record().get(pk=decision.pk)
    return {
        "record": decision.to_record().to_dict(),
        "scenarios": list(
            Scenario.objects.filter(decision=decision).values_list("pk", "position", "title")
        ),
        "cells": sorted(
            Support.objects.filter(scenario__decision=decision).values_list(
                "pk", "option_id", "scenario_id", "level", "note"
            )
        ),
        "chosen": decision.chosen_id,
    }


def test_it_removes_a_scenario_and_undo_brings_it_back_exactly(author_client, gateway):
    http = Scenario.objects.get(decision=gateway, title="HTTP API")
    Decision.objects.filter(pk=gateway.pk).update(chosen=http)
    before = picture(gateway)
    response = post(author_client, gateway, f"scenario/{http.pk}/remove/", htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    removal = Removal.objects.get(decision=gateway)
    assert '<div id="undo" class="undo-toast" hx-swap-oob="true" role="status">' in html
    assert "Removed: HTTP API." in html and f"/removed/{removal.pk}/undo/" in html
    # Meanwhile it is in no export, preview or completeness check.
    record = Decision.objects.with_record().get(pk=gateway.pk).to_record()
    assert "HTTP API" not in [s.title for s in record.scenarios]
    assert not any("HTTP API" in g.label for g in gaps(record))
    assert not Support.objects.filter(scenario_id=http.pk).exists()

    response = post(author_client, gateway, f"removed/{removal.pk}/undo/", htmx=True)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="scenarios"')
    assert picture(gateway) == before
    assert not Removal.objects.exists()
    # Used up: a second undo finds nothing.
    assert post(author_client, gateway, f"removed/{removal.pk}/undo/").status_code == 404


def test_it_brings_back_a_consideration_with_its_options_and_cells(author_client, gateway):
    auth = Consideration.objects.get(decision=gateway, title="Authentication")
    before = picture(gateway)
    options = list(AuthOption.objects.filter(consideration=auth).values_list("pk", "position"))
    response = post(author_client, gateway, f"consideration/{auth.pk}/remove/")
    assert response.status_code == 302
    removal = Removal.objects.get()
    assert response["Location"].endswith(f"/edit/considerations/?removed={removal.pk}")
    page = author_client.get(response["Location"]).content.decode()
    assert "Removed: Authentication." in page and 'hx-target="#considerations"' in page
    assert not AuthOption.objects.filter(consideration_id=auth.pk).exists()
    response = post(author_client, gateway, f"removed/{removal.pk}/undo/")
    assert response.status_code == 302
    assert picture(gateway) == before
    assert list(AuthOption.objects.filter(consideration=auth).values_list("pk", "position")) == (
        options
    )


def test_it_puts_a_point_back_in_its_place_after_others_moved(author_client, gateway):
    rest = Scenario.objects.get(decision=gateway, title="REST API")
    first, second, third = rest.points.order_by("position")
    post(author_client, gateway, f"point/{second.pk}/remove/", htmx=True)
    removal = Removal.objects.get()
    post(author_client, gateway, f"point/{third.pk}/move/", {"direction": "up"}, htmx=True)
    response = post(author_client, gateway, f"removed/{removal.pk}/undo/", htmx=True)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<div id="points-{rest.pk}"')
    # Back at its index: after the point moved up before the first, it comes between them.
    assert list(rest.points.order_by("position", "id").values_list("pk", flat=True)) == [
        third.pk,
        second.pk,
        first.pk,
    ]


def test_it_says_why_a_removal_cannot_come_back(author_client, gateway):
    http = Scenario.objects.get(decision=gateway, title="HTTP API")
    post(author_client, gateway, f"scenario/{http.pk}/remove/")
    removal = Removal.objects.get()
    Scenario.objects.create(decision=gateway, title="HTTP API", position=7)
    response = post(author_client, gateway, f"removed/{removal.pk}/undo/", htmx=True)
    assert response.status_code == 409 and response["HX-Retarget"] == "#banner"
    assert "“HTTP API” cannot come back" in response.content.decode()
    assert Removal.objects.filter(pk=removal.pk).exists()  # nothing half-restored, still there


def test_it_refuses_undo_to_others_and_after_its_time(author_client, gateway):
    http = Scenario.objects.get(decision=gateway, title="HTTP API")
    post(author_client, gateway, f"scenario/{http.pk}/remove/")
    removal = Removal.objects.get()
    viewer_client = Client()
    viewer = make_user("vic")
    add_member(gateway.workspace, viewer, "viewer")
    viewer_client.force_login(viewer)
    assert post(viewer_client, gateway, f"removed/{removal.pk}/undo/").status_code == 403
    assert author_client.get(url(gateway, f"removed/{removal.pk}/undo/")).status_code == 405
    other = make_decision(make_workspace("elsewhere"), "Theirs")
    response = author_client.post(f"/w/elsewhere/{other.number}/edit/removed/{removal.pk}/undo/")
    assert response.status_code == 404
    mine = make_decision(gateway.workspace, "Mine too")
    assert post(author_client, mine, f"removed/{removal.pk}/undo/").status_code == 404
    Removal.objects.update(at=timezone.now() - datetime.timedelta(days=1))
    assert post(author_client, gateway, f"removed/{removal.pk}/undo/").status_code == 404
    assert not Scenario.objects.filter(pk=http.pk).exists()
    # Old snapshots are purged with the next removal.
    rest = Scenario.objects.get(decision=gateway, title="REST API")
    post(author_client, gateway, f"scenario/{rest.pk}/remove/")
    assert list(Removal.objects.values_list("label", flat=True)) == ["REST API"]
