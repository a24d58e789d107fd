"""Starting a decision from a kit or template, the completeness check, and submitting."""

import pytest

from apps.activity.models import Notification
from apps.authoring.management.commands.load_kits import load_kits
from apps.authoring.models import Kit
from apps.decisions.completeness import gaps, required
from apps.decisions.models import Decision, Status, StatusChange, Support
from apps.reviews.models import ReviewRound

from ..factories import add_member, make_decision, make_user, make_workspace
from .helpers import complete, post, url


def test_it_loads_the_kits_once_and_keeps_admin_edits(db):
    kits = {kit.slug: kit for kit in load_kits()}
    assert {"blank", "madr-4", "nygard", "api-gateway", "waf-strategy", "database-choice"} <= set(
        kits
    )
    Kit.objects.filter(slug="api-gateway").update(name="Edited in the admin")

    load_kits()
    assert Kit.objects.get(slug="api-gateway").name == "Edited in the admin"
    load_kits(reset=True)
    assert Kit.objects.get(slug="api-gateway").name == "API gateway"


def test_its_api_gateway_kit_holds_the_scenarios_considerations_and_options(kits):
    record = kits["api-gateway"].record()
    assert [s.title for s in record.scenarios] == ["REST API", "HTTP API", "WebSocket API"]
    assert all(s.choose_when for s in record.scenarios)
    assert [c.title for c in record.considerations] == [
        "Authentication",
        "Monitoring and Tracing",
        "Web Application Firewall (WAF)",
    ]
    assert [o.title for o in record.considerations[0].options] == [
        "IAM authentication",
        "Amazon Cognito",
        "API key",
        "Lambda authorizer",
    ]


def test_it_refuses_a_kit_that_is_not_a_record(kits):
    kit = Kit(slug="bad", name="Bad", body="- just\n- a list\n")
    with pytest.raises(Exception, match="not a decision record"):
        kit.full_clean()


def test_it_shows_the_kits_to_start_from(author_client, kits):
    html = author_client.get("/new/").content.decode()
    for name in ["Blank", "MADR 4", "Nygard", "API gateway", "WAF strategy", "Database choice"]:
        assert name in html


def test_it_starts_a_draft_from_a_kit_with_the_next_number(author_client, kits, workspace, author):
    make_decision(workspace, "First")
    kit = Kit.objects.get(slug="api-gateway")
    response = author_client.post("/new/", {"workspace": "team", "kit": kit.pk, "title": ""})
    assert response.status_code == 302 and response["Location"] == "/w/team/2/edit/problem/"
    decision = Decision.objects.get(workspace=workspace, number=2)
    assert decision.title == "Decide on API Gateway Requirements"
    assert decision.status == Status.DRAFT and decision.owner == author
    assert decision.scenarios.count() == 3
    assert Support.objects.filter(option__consideration__decision=decision).count() == 11


def test_it_starts_a_blank_decision_with_the_given_title(author_client, kits, workspace):
    kit = Kit.objects.get(slug="blank")
    author_client.post("/new/", {"workspace": "team", "kit": kit.pk, "title": "Use Kafka"})
    decision = Decision.objects.get(workspace=workspace)
    assert decision.title == "Use Kafka" and not decision.scenarios.exists()


def test_it_gives_a_new_decision_a_free_number_when_numbers_have_gaps(kits, workspace):
    make_decision(workspace, "Seven", number=7)
    decision = Kit.objects.get(slug="nygard").start(workspace, title="Short form")
    assert decision.number == 8 and decision.chosen.title == "The proposed decision"


def test_it_refuses_to_start_a_decision_for_a_viewer(client, kits, workspace):
    viewer = make_user("vic")
    add_member(workspace, viewer, "viewer")
    client.force_login(viewer)
    assert "ask a workspace admin" in client.get("/new/").content.decode()
    kit = Kit.objects.get(slug="blank")
    response = client.post("/new/", {"workspace": "team", "kit": kit.pk, "title": "X"})
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_it_refuses_to_start_a_decision_in_a_strangers_workspace(author_client, kits):
    make_workspace("other")
    kit = Kit.objects.get(slug="blank")
    response = author_client.post("/new/", {"workspace": "other", "kit": kit.pk, "title": "X"})
    assert response.status_code == 422
    assert not Decision.objects.exists()


def test_it_rejects_other_methods_on_start(author_client, kits):
    assert author_client.put("/new/").status_code == 405


# --- Completeness --------------------------------------------------------------------------


def test_it_lists_the_gaps_of_the_api_gateway_kit(gateway):
    found = [(g.label, g.step, g.anchor) for g in required(gaps(gateway.to_record()))]
    assert ("Scenario “HTTP API” has no cons.", "scenarios", "scenario-http-api") not in found
    assert ("Scenario “WebSocket API” has no cons.", "scenarios", "scenario-websocket-api") in found
    assert (
        "Consideration “Monitoring and Tracing” is still open.",
        "considerations",
        "consideration-monitoring-and-tracing",
    ) in found
    assert (
        "“Lambda authorizer” is not assessed for “WebSocket API”.",
        "considerations",
        "cell-authentication-lambda-authorizer-websocket-api",
    ) in found
    assert ("No scenario is chosen as the outcome.", "outcome", "id_chosen") in found
    # the problem (the kit only prompts for it), the cons, three open considerations, one cell,
    # the outcome
    assert ("The problem statement is empty.", "problem", "id_context") in found
    assert len(found) == 7


def test_it_lists_an_empty_problem_and_no_scenarios(workspace):
    decision = make_decision(workspace, "Empty")
    labels = [g.label for g in required(gaps(decision.to_record()))]
    assert labels == [
        "The problem statement is empty.",
        "No scenarios are weighed yet.",
        "No scenario is chosen as the outcome.",
    ]


def test_it_counts_the_missing_items_in_the_step_bar(author_client, gateway):
    html = author_client.get(url(gateway, "problem/")).content.decode()
    assert 'data-gaps="7"' in html and "7 required items missing" in html
    assert 'href="/w/team/1/edit/considerations/#consideration-monitoring-and-tracing"' in html


# --- Submitting ----------------------------------------------------------------------------


@pytest.fixture
def reviewer(workspace):
    user = make_user("rita")
    add_member(workspace, user, "reviewer")
    return user


def test_it_offers_the_members_who_may_review_on_the_check_step(author_client, gateway, reviewer):
    admin = make_user("adam")
    add_member(gateway.workspace, admin, "admin")
    add_member(gateway.workspace, make_user("vic"), "viewer")
    html = author_client.get(url(gateway, "check/")).content.decode()
    submit = html.split('id="submit"')[1]
    assert f'name="reviewers" value="{reviewer.pk}"' in submit
    assert f'name="reviewers" value="{admin.pk}"' in submit
    assert submit.count('name="reviewers"') == 2  # not the viewer, not the author herself
    assert 'name="approvals_needed"' in submit and 'value="1"' in submit


def test_it_refuses_to_submit_while_required_items_are_missing(author_client, gateway, reviewer):
    revision = Decision.objects.get(pk=gateway.pk).revision
    data = {"reviewers": [reviewer.pk], "approvals_needed": 1}
    for htmx in (False, True):
        response = post(author_client, gateway, "submit/", data, htmx=htmx)
        assert response.status_code == 422
        html = response.content.decode()
        reason = html.split('id="submit-reason"')[1].split("</div>")[0]
        assert "This draft cannot go to review yet: 7 required items are missing." in reason
        assert (
            'href="/w/team/1/edit/considerations/#consideration-monitoring-and-tracing"' in reason
        )
        assert 'href="/w/team/1/edit/outcome/#id_chosen"' in reason
        # Nothing picked is lost: the reviewer is still ticked.
        assert f'name="reviewers" value="{reviewer.pk}" id="id_reviewers_0" checked' in html
    assert response["HX-Retarget"] == "#submit"
    assert 'id="stepbar"' in html and 'hx-swap-oob="true"' in html
    stored = Decision.objects.get(pk=gateway.pk)
    assert stored.status == Status.DRAFT and stored.revision == revision
    assert not ReviewRound.objects.exists() and not Notification.objects.exists()


def test_it_wants_a_reviewer_named(author_client, gateway, reviewer):
    complete(gateway)
    response = post(author_client, gateway, "submit/", {"approvals_needed": 1})
    assert response.status_code == 422
    assert "Name at least 1 reviewer." in response.content.decode()
    assert Decision.objects.get(pk=gateway.pk).status == Status.DRAFT


def test_it_submits_a_complete_draft_naming_and_notifying_reviewers(
    author_client, gateway, author, reviewer
):
    complete(gateway)
    html = author_client.get(url(gateway, "check/")).content.decode()
    assert 'class="required"' not in html and "disabled" not in html.split('id="submit"')[1]
    data = {"reviewers": [reviewer.pk], "approvals_needed": 1}
    response = post(author_client, gateway, "submit/", data)
    assert response.status_code == 302 and response["Location"] == "/w/team/1/"
    assert Decision.objects.get(pk=gateway.pk).status == Status.IN_REVIEW
    change = StatusChange.objects.get(decision=gateway)
    assert (change.from_status, change.to_status, change.by) == ("draft", "in_review", author)
    round = ReviewRound.objects.get(decision=gateway)
    assert list(round.reviewers.all()) == [reviewer] and round.approvals_needed == 1
    assert list(Notification.objects.filter(user=reviewer).values_list("message", flat=True)) == [
        "ada asks you to review ADR-0001 Decide on API Gateway Requirements."
    ]


def test_it_submits_in_place_with_a_client_redirect(author_client, gateway, reviewer):
    complete(gateway)
    data = {"reviewers": [reviewer.pk], "approvals_needed": 1}
    response = post(author_client, gateway, "submit/", data, htmx=True)
    assert response.status_code == 200 and response["HX-Redirect"] == "/w/team/1/"


def test_it_refuses_a_stale_submit(author_client, gateway, reviewer):
    complete(gateway)
    data = {"revision": 0, "reviewers": [reviewer.pk], "approvals_needed": 1}
    response = post(author_client, gateway, "submit/", data)
    assert response.status_code == 409
    assert Decision.objects.get(pk=gateway.pk).status == Status.DRAFT
