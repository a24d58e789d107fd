"""Every editing action as a plain form POST (JavaScript off), and its HTMX branch."""

import json

import pytest

from apps.decisions.models import (
    AuthOption,
    Consequence,
    Consideration,
    Decision,
    Reference,
    Relation,
    Scenario,
    ScenarioPoint,
    Support,
)
from apps.reviews.models import submit_for_review

from ..factories import make_decision, make_workspace
from .helpers import add_rows, complete, post, url


def rows(decision, kind):
    return {
        "scenario": Scenario.objects.filter(decision=decision),
        "point": ScenarioPoint.objects.filter(scenario__decision=decision),
        "consideration": Consideration.objects.filter(decision=decision),
        "option": AuthOption.objects.filter(consideration__decision=decision),
        "consequence": Consequence.objects.filter(decision=decision),
        "reference": Reference.objects.filter(decision=decision),
        "relation": Relation.objects.filter(source=decision),
    }[kind]


def first_scenario(decision):
    return Scenario.objects.filter(decision=decision).order_by("position").first()


def first_option(decision):
    return AuthOption.objects.filter(consideration__title="Authentication").order_by("position")[0]


# --- Pages ---------------------------------------------------------------------------------


def test_it_shows_each_step_to_an_author(author_client, gateway):
    for step, text in [
        ("problem", "Decision drivers"),
        ("scenarios", "WebSocket API"),
        ("considerations", "Lambda authorizer"),
        ("outcome", "Consequences"),
        ("check", "Submit for review"),
    ]:
        response = author_client.get(url(gateway, f"{step}/"))
        assert response.status_code == 200
        assert text in response.content.decode()


def test_it_redirects_the_editor_to_its_first_step(author_client, gateway):
    response = author_client.get(url(gateway, ""))
    assert response.status_code == 302 and response["Location"].endswith("/edit/problem/")


def test_it_refuses_the_editor_to_a_viewer_and_hides_it_from_outsiders(
    viewer_client, gateway, django_user_model
):
    assert viewer_client.get(url(gateway, "problem/")).status_code == 403
    viewer_client.force_login(django_user_model.objects.create_user("out"))
    assert viewer_client.get(url(gateway, "problem/")).status_code == 404


def test_it_has_no_unknown_step(author_client, gateway):
    assert author_client.get(url(gateway, "nowhere/")).status_code == 404


def test_it_links_to_the_editor_from_a_draft_for_authors_only(author_client, gateway, client):
    assert 'href="/w/team/1/edit/"' in author_client.get("/w/team/1/").content.decode()
    assert "New decision" in author_client.get("/").content.decode()


def test_it_hides_the_edit_link_from_viewers(viewer_client, gateway):
    assert "/edit/" not in viewer_client.get("/w/team/1/").content.decode()


def test_it_shows_a_decision_in_review_read_only(author_client, gateway, author):
    complete(gateway)
    submit_for_review(gateway, by=author)
    html = author_client.get(url(gateway, "scenarios/")).content.decode()
    assert "only drafts can be edited" in html
    assert 'class="autosave' not in html
    response = post(author_client, gateway, "part/problem/", {"title": "X", "context": "Y"})
    assert response.status_code == 409
    assert Decision.objects.get(pk=gateway.pk).title == "Decide on API Gateway Requirements"


# --- The decision's own fields ---------------------------------------------------------------


PROBLEM = {
    "title": "Decide on the API gateway",
    "context": "Partners need APIs.",
    "overview": "",
    "drivers": "Cost\nLatency",
}


def test_it_saves_the_problem_and_moves_to_the_next_revision(author_client, gateway):
    response = post(author_client, gateway, "part/problem/", PROBLEM)
    assert response.status_code == 302
    assert response["Location"] == "/w/team/1/edit/problem/#id_title"
    saved = Decision.objects.get(pk=gateway.pk)
    assert (saved.title, saved.context, saved.drivers) == (
        "Decide on the API gateway",
        "Partners need APIs.",
        "Cost\nLatency",
    )
    assert saved.revision == 2


def test_it_answers_an_autosave_with_only_the_form_s_bases_and_events(author_client, gateway):
    response = post(author_client, gateway, "part/problem/", PROBLEM, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="part-problem-bases" class="bases" hidden')
    assert 'name="context__base"' in html and "Partners need APIs." not in html
    assert "preview" not in html and "<html" not in html
    assert json.loads(response["HX-Trigger"]) == {
        "adroit:saved": {"form": "part-problem"},
        "adroit:revision": {"from": 1, "value": 2},
    }


def test_it_gives_the_step_bar_and_preview_to_the_page_after_its_saves(author_client, gateway):
    post(author_client, gateway, "part/problem/", PROBLEM, htmx=True)
    response = author_client.get(url(gateway, "problem/live/"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="preview" class="preview" aria-label="Preview" data-step="problem"' in html
    assert 'hx-swap-oob="true"' in html and "Partners need APIs." in html
    assert 'id="stepbar"' in html and "<html" not in html
    plain = author_client.get(url(gateway, "problem/live/"))
    assert plain.status_code == 302 and plain["Location"].endswith("/edit/problem/")
    assert author_client.get(url(gateway, "nowhere/live/")).status_code == 404


def test_it_shows_a_validation_error_next_to_the_field(author_client, gateway):
    response = post(author_client, gateway, "part/problem/", {**PROBLEM, "title": " "})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_title_error"' in html and "Give the decision a title" in html
    assert "Partners need APIs." in html  # what was typed stays in the form
    assert Decision.objects.get(pk=gateway.pk).revision == 1


def test_it_swaps_an_invalid_autosave_into_the_form(author_client, gateway):
    response = post(author_client, gateway, "part/problem/", {**PROBLEM, "title": ""}, htmx=True)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "this" and response["HX-Reswap"] == "outerHTML"
    assert response.content.decode().lstrip().startswith('<form id="part-problem"')


def test_it_refuses_a_stale_save_and_shows_both_texts(author_client, gateway):
    Decision.objects.filter(pk=gateway.pk).update(context="Their context", revision=2)
    response = post(author_client, gateway, "part/problem/", {**PROBLEM, "revision": 1})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this after you opened it" in html
    assert "Their context" in html and "Partners need APIs." in html
    assert Decision.objects.get(pk=gateway.pk).context == "Their context"


def test_it_swaps_the_conflict_view_in_place(author_client, gateway):
    Decision.objects.filter(pk=gateway.pk).update(context="Their context", revision=2)
    response = post(author_client, gateway, "part/problem/", {**PROBLEM, "revision": 1}, htmx=True)
    assert response.status_code == 409
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="part-problem" class="autosave conflict"')
    assert '<input type="hidden" name="revision" value="2">' in html  # "Keep my text" is current
    assert "Keep my text" in html and "Their context" in html


def test_it_saves_the_outcome_with_a_scenario_of_this_decision_only(author_client, gateway):
    other = make_decision(gateway.workspace, "Other")
    stranger = Scenario.objects.create(decision=other, title="Not ours")
    data = {"chosen": stranger.pk, "rationale": "", "confirmation": ""}
    assert post(author_client, gateway, "part/outcome/", data).status_code == 422
    data["chosen"] = first_scenario(gateway).pk
    assert post(author_client, gateway, "part/outcome/", data).status_code == 302
    assert Decision.objects.get(pk=gateway.pk).chosen.title == "REST API"


def test_it_saves_the_scenarios_introduction(author_client, gateway):
    assert post(author_client, gateway, "part/intro/", {"options_intro": "Two"}).status_code == 302
    assert Decision.objects.get(pk=gateway.pk).options_intro == "Two"


@pytest.mark.parametrize(
    "rest", ["part/problem/", "scenario/add/", "submit/", "part/outcome/", "cell/1/1/"]
)
def test_it_rejects_get_on_actions(author_client, gateway, rest):
    assert author_client.get(url(gateway, rest)).status_code == 405


def test_it_refuses_the_decision_s_own_actions_to_a_viewer(viewer_client, gateway):
    scenario = first_scenario(gateway)
    option = first_option(gateway)
    for rest in ["part/problem/", f"cell/{option.pk}/{scenario.pk}/", "submit/"]:
        assert post(viewer_client, gateway, rest, PROBLEM).status_code == 403, rest
    saved = Decision.objects.get(pk=gateway.pk)
    assert (saved.revision, saved.status) == (1, "draft")
    assert not Support.objects.filter(option=option, scenario=scenario, note="x").exists()


ALL_KINDS = ["scenario", "point", "consideration", "option", "consequence", "reference", "relation"]


@pytest.mark.parametrize("action", ["add/", "{pk}/", "{pk}/remove/", "{pk}/move/"])
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_it_refuses_every_row_action_to_a_viewer(viewer_client, gateway, kind, action):
    add_rows(gateway)
    row = rows(gateway, kind).order_by("pk").first()
    before = list(rows(gateway, kind).values_list("pk", flat=True))
    data = {"parent": parent_of(gateway, kind), "direction": "up"}
    data |= {f"{kind}-{row.pk}-{field}": "x" for field in ["title", "text", "kind", "url"]}
    data |= {f"{kind}-new-{data['parent']}-{field}": "x" for field in ["title", "text", "url"]}
    response = post(viewer_client, gateway, f"{kind}/" + action.format(pk=row.pk), data)
    assert response.status_code == 403
    assert list(rows(gateway, kind).values_list("pk", flat=True)) == before
    assert Decision.objects.get(pk=gateway.pk).revision == 1


# --- Rows ----------------------------------------------------------------------------------


def parent_of(decision, kind):
    if kind == "point":
        return first_scenario(decision).pk
    if kind == "option":
        return Consideration.objects.get(decision=decision, title="Authentication").pk
    return decision.pk


ADD = {
    "scenario": ({"title": "ALB only"}, {"title": "REST API"}, "There is already one"),
    "point": ({"kind": "good", "text": "fast"}, {"kind": "good", "text": ""}, "required"),
    "consideration": ({"title": "Cost", "is_open": "on"}, {"title": ""}, "required"),
    "option": ({"title": "mTLS"}, {"title": "API key"}, "There is already one"),
    "consequence": ({"kind": "bad", "text": "lock-in"}, {"kind": "worse", "text": "x"}, "valid"),
    "reference": (
        {"title": "AWS", "url": "https://aws.amazon.com/"},
        {"title": "AWS", "url": "not a url"},
        "valid URL",
    ),
}


@pytest.mark.parametrize("kind", ADD)
def test_it_adds_a_row_with_a_plain_post(author_client, gateway, kind):
    good, bad, error = ADD[kind]
    prefix = f"{kind}-new-{parent_of(gateway, kind)}-"
    before = rows(gateway, kind).count()
    data = {prefix + k: v for k, v in good.items()} | {"parent": parent_of(gateway, kind)}
    response = post(author_client, gateway, f"{kind}/add/", data)
    assert response.status_code == 302
    assert rows(gateway, kind).count() == before + 1
    added = rows(gateway, kind).latest("pk")
    assert response["Location"].endswith(f"#{kind}-{added.pk}")
    others = [r.position for r in rows(gateway, kind).exclude(pk=added.pk)]
    assert added.position == (max(others) + 1 if others else 0)

    data = {prefix + k: v for k, v in bad.items()} | {"parent": parent_of(gateway, kind)}
    response = post(author_client, gateway, f"{kind}/add/", data)
    assert response.status_code == 422 and error in response.content.decode()
    assert rows(gateway, kind).count() == before + 1


@pytest.mark.parametrize("kind", ADD)
def test_it_adds_a_row_in_place(author_client, gateway, kind):
    good, bad, error = ADD[kind]
    parent = parent_of(gateway, kind)
    prefix = f"{kind}-new-{parent}-"
    data = {prefix + k: v for k, v in good.items()} | {"parent": parent}
    response = post(author_client, gateway, f"{kind}/add/", data, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    region = {"point": f"points-{parent}", "option": f"options-{parent}"}.get(kind, kind + "s")
    assert html.lstrip().startswith(f'<div id="{region}"')
    assert 'hx-swap-oob="true"' in html
    data = {prefix + k: v for k, v in bad.items()} | {"parent": parent}
    response = post(author_client, gateway, f"{kind}/add/", data, htmx=True)
    assert response.status_code == 422 and error in response.content.decode()
    assert response.content.decode().lstrip().startswith(f'<div id="{region}"')


def test_it_refuses_a_parent_of_another_decision(author_client, gateway):
    other = make_decision(gateway.workspace, "Other")
    stranger = Scenario.objects.create(decision=other, title="Not ours")
    data = {f"point-new-{stranger.pk}-kind": "good", f"point-new-{stranger.pk}-text": "x"}
    response = post(author_client, gateway, "point/add/", {**data, "parent": stranger.pk})
    assert response.status_code == 404
    assert not stranger.points.exists()


EDIT = {
    "scenario": {"title": "REST API (v1)", "description": "Resources.", "choose_when": "always"},
    "point": {"kind": "bad", "text": "slower"},
    "consideration": {"title": "Authentication", "body": "Settled: IAM."},
    "option": {"title": "IAM (SigV4)", "description": ""},
    "consequence": {"kind": "neutral", "text": "new runbooks"},
    "reference": {"title": "Docs", "url": "https://example.com/docs"},
}


@pytest.mark.parametrize("kind", EDIT)
def test_it_saves_a_row_with_a_plain_post_and_in_place(author_client, gateway, kind):
    Consequence.objects.create(decision=gateway, kind="good", text="fewer keys")
    row = rows(gateway, kind).order_by("pk").first()
    data = {f"{kind}-{row.pk}-{k}": v for k, v in EDIT[kind].items()}
    response = post(author_client, gateway, f"{kind}/{row.pk}/", data)
    assert response.status_code == 302 and response["Location"].endswith(f"#{kind}-{row.pk}")
    row.refresh_from_db()
    for field, value in EDIT[kind].items():
        assert getattr(row, field) == value
    assert Decision.objects.get(pk=gateway.pk).revision == 2
    response = post(author_client, gateway, f"{kind}/{row.pk}/", data, htmx=True)
    assert response.status_code == 200
    assert f'<div id="{kind}-{row.pk}-bases"' in response.content.decode()


def test_it_settles_a_consideration(author_client, gateway):
    row = Consideration.objects.get(decision=gateway, title="Monitoring and Tracing")
    data = {
        f"consideration-{row.pk}-title": row.title,
        f"consideration-{row.pk}-body": "CloudWatch",
    }
    assert post(author_client, gateway, f"consideration/{row.pk}/", data).status_code == 302
    row.refresh_from_db()
    assert row.is_open is False and row.body == "CloudWatch"


def test_it_shows_a_row_error_next_to_the_field(author_client, gateway):
    row = Scenario.objects.get(decision=gateway, title="HTTP API")
    data = {f"scenario-{row.pk}-title": "REST API"}
    response = post(author_client, gateway, f"scenario/{row.pk}/", data, htmx=True)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="id_scenario-{row.pk}-title_error"' in html and "There is already one" in html
    assert Scenario.objects.get(pk=row.pk).title == "HTTP API"


def test_it_refuses_a_stale_row_save_and_keeps_both_texts(author_client, gateway):
    row = first_scenario(gateway)
    Scenario.objects.filter(pk=row.pk).update(description="Their description")
    Decision.objects.filter(pk=gateway.pk).update(revision=2)
    data = {
        f"scenario-{row.pk}-title": row.title,
        f"scenario-{row.pk}-description": "My description",
        "revision": 1,
    }
    response = post(author_client, gateway, f"scenario/{row.pk}/", data, htmx=True)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Their description" in html and "My description" in html
    assert Scenario.objects.get(pk=row.pk).description == "Their description"


def test_it_does_not_find_a_row_of_another_decision(author_client, gateway):
    other = make_decision(gateway.workspace, "Other")
    stranger = Scenario.objects.create(decision=other, title="Not ours")
    data = {f"scenario-{stranger.pk}-title": "Mine now"}
    assert post(author_client, gateway, f"scenario/{stranger.pk}/", data).status_code == 404
    assert post(author_client, gateway, f"nonsense/{stranger.pk}/", data).status_code == 404
    assert Scenario.objects.get(pk=stranger.pk).title == "Not ours"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_it_removes_a_row(author_client, gateway, kind):
    add_rows(gateway)
    row = rows(gateway, kind).order_by("pk").first()
    response = post(author_client, gateway, f"{kind}/{row.pk}/remove/")
    assert response.status_code == 302
    assert not rows(gateway, kind).filter(pk=row.pk).exists()
    row = rows(gateway, kind).order_by("pk").first()
    response = post(author_client, gateway, f"{kind}/{row.pk}/remove/", htmx=True)
    assert response.status_code == 200 and 'hx-swap-oob="true"' in response.content.decode()
    assert not rows(gateway, kind).filter(pk=row.pk).exists()


def titles(decision):
    return list(Scenario.objects.filter(decision=decision).values_list("title", flat=True))


def test_it_moves_rows_up_and_down(author_client, gateway):
    http = Scenario.objects.get(decision=gateway, title="HTTP API")
    response = post(author_client, gateway, f"scenario/{http.pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    assert titles(gateway) == ["HTTP API", "REST API", "WebSocket API"]
    response = post(
        author_client, gateway, f"scenario/{http.pk}/move/", {"direction": "down"}, htmx=True
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="scenarios"')
    assert titles(gateway) == ["REST API", "HTTP API", "WebSocket API"]
    post(author_client, gateway, f"scenario/{http.pk}/move/", {"direction": "down"})
    post(author_client, gateway, f"scenario/{http.pk}/move/", {"direction": "down"})
    assert titles(gateway) == ["REST API", "WebSocket API", "HTTP API"]


def test_it_moves_points_within_their_scenario(author_client, gateway):
    rest = first_scenario(gateway)
    last = rest.points.order_by("position").last()
    post(author_client, gateway, f"point/{last.pk}/move/", {"direction": "up"})
    texts = list(rest.points.values_list("text", flat=True))
    assert texts[1] == last.text and len(texts) == 3


MOVABLE = {
    "consideration": lambda d: "considerations",
    "option": lambda d: f"options-{parent_of(d, 'option')}",
    "consequence": lambda d: "consequences",
    "reference": lambda d: "references",
}


def order(decision, kind):
    return list(rows(decision, kind).order_by("position", "id").values_list("pk", flat=True))


@pytest.mark.parametrize("kind", MOVABLE)
def test_it_moves_a_row_up_and_down_with_a_plain_post_and_in_place(author_client, gateway, kind):
    add_rows(gateway)
    first, second, *rest = order(gateway, kind)
    response = post(author_client, gateway, f"{kind}/{second}/move/", {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith(f"#{kind}-{second}")
    assert order(gateway, kind) == [second, first, *rest]
    response = post(author_client, gateway, f"{kind}/{second}/move/", {"direction": "down"})
    assert response.status_code == 302
    assert order(gateway, kind) == [first, second, *rest]
    response = post(
        author_client, gateway, f"{kind}/{first}/move/", {"direction": "down"}, htmx=True
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<div id="{MOVABLE[kind](gateway)}"')
    assert order(gateway, kind) == [second, first, *rest]
    assert Decision.objects.get(pk=gateway.pk).revision == 4


def test_it_removes_and_moves_rows_whatever_else_changed_since(author_client, gateway):
    first, second = Scenario.objects.filter(decision=gateway).order_by("position")[:2]
    Decision.objects.filter(pk=gateway.pk).update(revision=5)  # a co-author saved meanwhile
    response = post(
        author_client, gateway, f"scenario/{second.pk}/move/", {"revision": 4}, htmx=True
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["adroit:focus"] == {
        "id": f"move-scenario-{second.pk}-down"
    }
    response = post(author_client, gateway, f"scenario/{first.pk}/remove/", {"revision": 4})
    assert response.status_code == 302
    assert not Scenario.objects.filter(pk=first.pk).exists()
    assert Decision.objects.get(pk=gateway.pk).revision == 7


# --- The matrix ----------------------------------------------------------------------------


def test_it_sets_a_matrix_cell_in_place(author_client, gateway):
    option = AuthOption.objects.get(consideration__decision=gateway, title="Lambda authorizer")
    websocket = Scenario.objects.get(decision=gateway, title="WebSocket API")
    key = f"cell-{option.pk}-{websocket.pk}"
    data = {f"{key}-level": "supported", f"{key}-note": "on $connect"}
    response = post(author_client, gateway, f"cell/{option.pk}/{websocket.pk}/", data)
    assert response.status_code == 302 and response["Location"].endswith(f"#{key}")
    cell = Support.objects.get(option=option, scenario=websocket)
    assert (cell.level, cell.note) == ("supported", "on $connect")
    data[f"{key}-level"] = "partial"
    response = post(author_client, gateway, f"cell/{option.pk}/{websocket.pk}/", data, htmx=True)
    assert response.status_code == 200
    live = author_client.get(url(gateway, "considerations/live/"), headers={"HX-Request": "true"})
    assert "◐ partial: on $connect" in live.content.decode()
    data[f"{key}-level"] = "maybe"
    response = post(author_client, gateway, f"cell/{option.pk}/{websocket.pk}/", data, htmx=True)
    assert response.status_code == 422 and "Select a valid choice" in response.content.decode()


# --- Relations -----------------------------------------------------------------------------


def test_it_adds_and_removes_a_relation(author_client, gateway):
    other = make_decision(gateway.workspace, "Use a WAF")
    prefix = f"relation-new-{gateway.pk}-"
    data = {prefix + "kind": "see_also", prefix + "target": other.pk, "parent": gateway.pk}
    assert post(author_client, gateway, "relation/add/", data).status_code == 302
    relation = Relation.objects.get(source=gateway)
    assert (relation.target, relation.kind) == (other, "see_also")
    response = post(author_client, gateway, "relation/add/", data, htmx=True)
    assert response.status_code == 422 and "already there" in response.content.decode()
    data[prefix + "target"] = gateway.pk
    assert post(author_client, gateway, "relation/add/", data).status_code == 422
    response = post(author_client, gateway, f"relation/{relation.pk}/remove/", htmx=True)
    assert response.status_code == 200 and not Relation.objects.exists()


def test_it_does_not_count_saving_the_same_text_again_as_a_change(author_client, gateway):
    post(author_client, gateway, "part/problem/", PROBLEM)
    response = post(author_client, gateway, "part/problem/", PROBLEM, htmx=True)
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {
        "adroit:saved": {"form": "part-problem", "unchanged": True}
    }
    assert Decision.objects.get(pk=gateway.pk).revision == 2


def relation_data(relation, kind, target) -> dict:
    return {f"relation-{relation.pk}-kind": kind, f"relation-{relation.pk}-target": target.pk}


def test_it_edits_a_relation_with_a_plain_post(author_client, gateway):
    add_rows(gateway)
    relation, other = Relation.objects.filter(source=gateway).order_by("pk")
    tracing = other.target
    data = relation_data(relation, "supersedes", tracing)
    response = post(author_client, gateway, f"relation/{relation.pk}/", data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/edit/outcome/#relation-{relation.pk}")
    relation.refresh_from_db()
    assert (relation.kind, relation.target) == ("supersedes", tracing)
    assert Decision.objects.get(pk=gateway.pk).revision == 2


def test_it_edits_a_relation_in_place_and_its_link_follows(author_client, gateway):
    add_rows(gateway)
    relation = Relation.objects.filter(source=gateway).order_by("pk").first()
    third = make_decision(gateway.workspace, "Cache responses")
    data = relation_data(relation, "relates_to", third)
    response = post(author_client, gateway, f"relation/{relation.pk}/", data, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="relation-{relation.pk}-bases"')
    assert (
        f'<a id="relation-{relation.pk}-link" href="/w/team/{third.number}/" hx-swap-oob="true">'
        f"Open {third.ref}</a>"
    ) in html
    relation.refresh_from_db()
    assert (relation.kind, relation.target) == ("relates_to", third)


def test_it_refuses_a_relation_edit_to_itself_or_to_a_pair_already_there(author_client, gateway):
    add_rows(gateway)
    relation, other = Relation.objects.filter(source=gateway).order_by("pk")
    data = relation_data(relation, "see_also", other.target)
    response = post(author_client, gateway, f"relation/{relation.pk}/", data, htmx=True)
    assert response.status_code == 422
    error = f'id="id_relation-{relation.pk}-target_error" role="alert"><li>This relation'
    assert error in response.content.decode()
    assert response["HX-Retarget"] == "this"
    data = relation_data(relation, "supersedes", gateway)
    response = post(author_client, gateway, f"relation/{relation.pk}/", data)
    assert response.status_code == 422 and "Select a valid choice" in response.content.decode()
    stranger = make_decision(make_workspace("elsewhere"), "Not ours")
    data = relation_data(relation, "supersedes", stranger)
    assert post(author_client, gateway, f"relation/{relation.pk}/", data).status_code == 422
    relation.refresh_from_db()
    assert (relation.kind, relation.target.title) == ("see_also", "Use a WAF")
    assert Decision.objects.get(pk=gateway.pk).revision == 1


def test_it_keeps_a_relation_s_own_pair_when_saved_unchanged(author_client, gateway):
    add_rows(gateway)
    relation = Relation.objects.filter(source=gateway).order_by("pk").first()
    data = relation_data(relation, relation.kind, relation.target)
    response = post(author_client, gateway, f"relation/{relation.pk}/", data, htmx=True)
    assert response.status_code == 200 and "adroit:revision" not in response["HX-Trigger"]
    assert Decision.objects.get(pk=gateway.pk).revision == 1


def test_it_refuses_a_stale_relation_edit_and_shows_both(author_client, gateway):
    add_rows(gateway)
    relation, other = Relation.objects.filter(source=gateway).order_by("pk")
    Relation.objects.filter(pk=relation.pk).update(kind="amends")
    Decision.objects.filter(pk=gateway.pk).update(revision=2)
    data = relation_data(relation, "supersedes", relation.target) | {"revision": 1}
    response = post(author_client, gateway, f"relation/{relation.pk}/", data, htmx=True)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this" in html and "<pre>Amends</pre>" in html
    assert Relation.objects.get(pk=relation.pk).kind == "amends"


def test_it_offers_relations_no_order(author_client, gateway):
    add_rows(gateway)
    relation = Relation.objects.filter(source=gateway).first()
    html = author_client.get(url(gateway, "outcome/")).content.decode()
    assert f'/relation/{relation.pk}/remove/"' in html
    assert f'<form id="relation-{relation.pk}"' in html
    assert "/relation/" in html and "/move/" in html  # other rows do move
    assert f"/relation/{relation.pk}/move/" not in html
    response = post(author_client, gateway, f"relation/{relation.pk}/move/", {"direction": "up"})
    assert response.status_code == 404


# --- Adding never waits for anyone ----------------------------------------------------------


def test_it_adds_a_row_from_a_page_older_than_the_last_save(author_client, gateway):
    Decision.objects.filter(pk=gateway.pk).update(revision=3)
    Scenario.objects.create(decision=gateway, title="ALB only", position=9)
    prefix = f"scenario-new-{gateway.pk}-"
    data = {
        prefix + "title": "Lambda function URLs",
        prefix + "description": "Typed while they saved",
        "revision": 2,
    }
    response = post(author_client, gateway, "scenario/add/", data, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="scenarios"')
    assert "<h3>ALB only</h3>" in html and "<h3>Lambda function URLs</h3>" in html
    assert Decision.objects.get(pk=gateway.pk).revision == 4
    # The same title twice is still refused, beside the text.
    response = post(author_client, gateway, "scenario/add/", data, htmx=True)
    assert response.status_code == 422 and "There is already one" in response.content.decode()


def test_it_keeps_the_region_of_an_invalid_add_form(author_client, gateway):
    parent = parent_of(gateway, "point")
    data = {f"point-new-{parent}-kind": "good", f"point-new-{parent}-text": "", "parent": parent}
    response = post(author_client, gateway, "point/add/", data, htmx=True)
    assert response.status_code == 422
    assert f'hx-target="#points-{parent}"' in response.content.decode()
