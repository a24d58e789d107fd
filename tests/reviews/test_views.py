import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.decisions.models import Decision, ScenarioPoint
from apps.reviews.models import Thread

from .helpers import accepted, draft, in_review, open_round


def url(decision, tail: str) -> str:
    return f"/w/{decision.workspace.slug}/{decision.number}/{tail}"


@pytest.fixture
def reviewing(people):
    return in_review(people["workspace"], people["ada"], [people["rita"]])


@pytest.fixture
def thread(reviewing, people):
    return Thread.start(reviewing, "pros_cons", people["rita"], "Compare *costs*.")


# (tail, data, who may, who may not) for every POST view of the review.
def posts(decision, thread) -> list[tuple[str, dict, str, str]]:
    return [
        ("review/submit/", {"reviewers": [], "approvals_needed": 1}, "ada", "vic"),
        ("review/threads/", {"section": "context", "body": "Why?"}, "rita", "vic"),
        (f"review/threads/{thread.pk}/reply/", {"body": "Because."}, "ada", "vic"),
        (f"review/threads/{thread.pk}/resolve/", {}, "ada", "vic"),
        (f"review/threads/{thread.pk}/reopen/", {}, "ada", "vic"),
        ("review/approve/", {}, "rita", "ada"),
        ("review/request-changes/", {"note": "More data."}, "rita", "ada"),
        ("status/", {"to": "rejected", "reason": "Too costly."}, "rita", "ada"),
    ]


def test_it_shows_the_review_panel_on_the_decision_page(client, reviewing, thread, people):
    client.force_login(people["ada"])
    page = client.get(reviewing.get_absolute_url()).content.decode()
    assert 'id="review-panel"' in page
    assert "0 of 1" in page and "rita" in page
    assert 'id="review-pros_cons"' in page and "<em>costs</em>" in page
    assert "Draft → In review" in page  # the status history


def test_it_keeps_the_page_queries_flat_with_more_threads(client, reviewing, people):
    client.force_login(people["ada"])
    client.get(reviewing.get_absolute_url())  # warm: the page's render cache holds the record
    # Each read after a comment reads the review afresh (a new stamp): compare those reads.
    Thread.start(reviewing, "context", people["rita"], "One")
    with CaptureQueriesContext(connection) as few:
        client.get(reviewing.get_absolute_url())
    for i in range(5):
        t = Thread.start(reviewing, "scenario:REST API", people["rita"], f"More {i}")
        t.reply(people["ada"], "Noted.")
    with CaptureQueriesContext(connection) as many:
        client.get(reviewing.get_absolute_url())
    assert len(many) == len(few)


def test_it_serves_the_review_page_and_the_polled_threads(client, reviewing, thread, people):
    client.force_login(people["vic"])
    page = client.get(url(reviewing, "review/"))
    assert page.status_code == 200 and "<html" in page.content.decode()
    polled = client.get(url(reviewing, "review/"), headers={"HX-Request": "true"}).content.decode()
    assert polled.lstrip().startswith('<section class="review-threads"')
    assert 'hx-trigger="every 5s"' in polled and "<em>costs</em>" in polled
    # Viewers read but get no forms.
    assert "<form" not in polled


def test_it_hides_the_review_from_other_workspaces(client, reviewing, people):
    client.force_login(people["olga"])
    assert client.get(url(reviewing, "review/")).status_code == 404


def test_it_sends_anonymous_readers_to_sign_in(client, reviewing):
    assert client.get(url(reviewing, "review/")).status_code == 302


def test_it_refuses_post_to_the_review_page(client, reviewing, people):
    client.force_login(people["ada"])
    assert client.post(url(reviewing, "review/")).status_code == 405


@pytest.mark.parametrize("index", range(8))
def test_it_checks_rights_methods_and_workspaces(client, reviewing, thread, people, index):
    tail, data, allowed, refused = posts(reviewing, thread)[index]
    client.force_login(people[refused])
    assert client.post(url(reviewing, tail), data).status_code == 403
    client.force_login(people["olga"])
    assert client.post(url(reviewing, tail), data).status_code == 404
    client.force_login(people[allowed])
    assert client.get(url(reviewing, tail)).status_code == 405


@pytest.mark.parametrize("index", range(8))
def test_it_answers_htmx_with_the_panel(client, reviewing, thread, people, index):
    tail, data, allowed, _ = posts(reviewing, thread)[index]
    if tail == "review/submit/":
        data = {"reviewers": [people["rob"].pk], "approvals_needed": 1}
    client.force_login(people[allowed])
    response = client.post(url(reviewing, tail), data, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.content.decode()[:500]
    assert response.content.decode().lstrip().startswith('<aside class="review-panel"')


def test_it_submits_a_draft_naming_reviewers(client, people):
    decision = draft(people["workspace"], people["ada"])
    client.force_login(people["ada"])
    data = {"reviewers": [people["rita"].pk, people["rob"].pk], "approvals_needed": 2}
    response = client.post(url(decision, "review/submit/"), data)
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == "in_review"
    assert open_round(decision).approvals_needed == 2


def test_it_wants_as_many_reviewers_as_approvals(client, people):
    decision = draft(people["workspace"], people["ada"])
    client.force_login(people["ada"])
    data = {"reviewers": [people["rita"].pk], "approvals_needed": 2}
    response = client.post(url(decision, "review/submit/"), data)
    assert response.status_code == 422
    assert "Name at least 2 reviewers." in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == "draft"


def test_it_refuses_to_submit_an_incomplete_draft_and_says_why(client, people):
    decision = draft(people["workspace"], people["ada"])
    ScenarioPoint.objects.filter(scenario__title="HTTP API", kind="bad").delete()
    client.force_login(people["ada"])
    data = {"reviewers": [people["rita"].pk], "approvals_needed": 1}
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(url(decision, "review/submit/"), data, headers=headers)
        assert response.status_code == 422
        html = response.content.decode()
        reason = html.split('id="submit-refused"')[1].split("</div>")[0]
        assert "This draft cannot go to review yet: 1 required item is missing." in reason
        assert 'href="/w/team/1/edit/scenarios/#scenario-http-api"' in reason
        assert "Scenario “HTTP API” has no cons." in reason
        # Rita is still ticked, so nothing picked is lost.
        assert re.search(rf'value="{people["rita"].pk}" id="id_reviewers_\d+" checked', html)
    assert html.lstrip().startswith('<aside class="review-panel"')
    decision.refresh_from_db()
    assert decision.status == "draft"
    assert not decision.review_rounds.exists() and not decision.status_changes.exists()


def test_it_keeps_a_refused_comment_with_its_message(client, reviewing, people):
    client.force_login(people["rita"])
    response = client.post(
        url(reviewing, "review/threads/"),
        {"section": "nowhere", "body": "Keep this text"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Keep this text" in body and "Select a valid choice" in body


def test_it_comments_replies_and_resolves(client, reviewing, people):
    client.force_login(people["rita"])
    response = client.post(
        url(reviewing, "review/threads/"),
        {"section": "scenario:REST API", "body": "What about **gRPC**?"},
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#thread-{thread.pk}")
    client.force_login(people["ada"])
    client.post(url(reviewing, f"review/threads/{thread.pk}/reply/"), {"body": "Browsers."})
    client.post(url(reviewing, f"review/threads/{thread.pk}/resolve/"))
    thread.refresh_from_db()
    assert thread.comments.count() == 2 and not thread.is_open


def test_it_accepts_on_approval_and_says_so(client, reviewing, people):
    client.force_login(people["rita"])
    response = client.post(url(reviewing, "review/approve/"), follow=True)
    page = response.content.decode()
    assert "is accepted" in page and "v1" in page
    reviewing.refresh_from_db()
    assert reviewing.status == "accepted"


def test_it_says_when_approvals_went_stale(client, people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    open_round(decision).approve(people["rita"])
    Decision.objects.filter(pk=decision.pk).update(context="Changed after approval.")
    client.force_login(people["ada"])
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "approved an earlier text" in page and "that approval no longer counts" in page
    assert "0 of 2" in page


def test_it_refuses_approving_outside_review(client, people):
    decision = draft(people["workspace"], people["ada"])
    client.force_login(people["rita"])
    response = client.post(url(decision, "review/approve/"))
    assert response.status_code == 422 and "not in review" in response.content.decode()


def test_it_reopens_an_accepted_decision_as_the_next_draft(client, people):
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])
    client.force_login(people["ada"])
    client.post(url(decision, "status/"), {"to": "draft", "reason": "New facts."})
    decision.refresh_from_db()
    assert decision.status == "draft"
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Draft of version 2" in page


def test_it_lets_only_admins_deprecate(client, people):
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])
    client.force_login(people["rita"])
    data = {"to": "deprecated", "reason": "Retired."}
    assert client.post(url(decision, "status/"), data).status_code == 403
    client.force_login(people["adam"])
    assert client.post(url(decision, "status/"), data).status_code == 302
    decision.refresh_from_db()
    assert decision.status == "deprecated"


def test_it_refuses_an_illegal_move_with_a_message(client, people):
    decision = draft(people["workspace"], people["ada"])
    client.force_login(people["adam"])
    response = client.post(url(decision, "status/"), {"to": "deprecated", "reason": "x"})
    assert response.status_code == 422
    assert "cannot go from draft to deprecated" in response.content.decode()


def test_it_renders_hostile_comments_harmless(client, reviewing, people):
    from ..security.xss import assert_harmless

    Thread.start(
        reviewing,
        "context",
        people["rita"],
        '<script>alert(1)</script><a href="javascript:x" hx-get="/">x</a>',
    )
    client.force_login(people["ada"])
    page = client.get(url(reviewing, "review/"), headers={"HX-Request": "true"}).content.decode()
    bodies = page.split('class="comment-body" hx-disable>')[1:]
    assert bodies
    for body in bodies:
        assert_harmless(body.split("</div>")[0])
