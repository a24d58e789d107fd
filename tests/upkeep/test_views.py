"""The decision page's upkeep region: confirm still valid, the checks' states, the checklist."""

from __future__ import annotations

import pytest
from django.core import mail

from apps.activity.models import AuditEvent, Notification
from apps.decisions.models import ConfirmationItem, Decision, ReviewEvent
from apps.reviews.models import Contribution

from ..factories import make_decision
from ..reviews.helpers import accepted, in_review, open_round
from .helpers import check, days, decided_by, live, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(people):
    decision = live(people["workspace"], "Use PostgreSQL", review_in=-3, owner=people["ada"])
    decided_by(decision, "rob", "adam")
    return decision


def url(decision, tail: str) -> str:
    return f"/w/{decision.workspace.slug}/{decision.number}/{tail}"


# --- confirm still valid -----------------------------------------------------------------------


def test_the_page_shows_the_review_date_and_the_button(client, people, due):
    client.force_login(people["rita"])

    page = client.get(due.get_absolute_url()).content.decode()

    assert f'Review by <time datetime="{days(-3).isoformat()}"' in page
    assert "Overdue" in page and 'id="confirm-still-valid"' in page


def test_viewers_and_authors_see_no_button(client, people, due):
    for name in ("vic", "ada"):
        client.force_login(people[name])
        assert 'id="confirm-still-valid"' not in client.get(due.get_absolute_url()).content.decode()


def test_a_reviewer_confirms_and_the_date_moves_on(client, people, due):
    client.force_login(people["rita"])

    response = client.post(url(due, "still-valid/"), {"note": "Checked the config."})

    assert response.status_code == 302
    assert response["Location"].endswith("#upkeep")
    due.refresh_from_db()
    assert due.review_by == people["workspace"].next_review(today())
    assert ReviewEvent.objects.get().note == "Checked the config."


def test_the_htmx_branch_answers_the_region(client, people, due):
    client.force_login(people["rita"])

    response = client.post(url(due, "still-valid/"), {"until": days(40)}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="upkeep" id="upkeep"')
    assert days(40).isoformat() in body


@pytest.mark.parametrize(
    "data,error",
    [
        ({"until": "2020-01-01"}, "Choose a day after today."),
        ({"until": "not a day"}, "Enter a valid date."),
        ({"note": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_it_refuses_bad_input_and_keeps_the_date(client, people, due, data, error):
    client.force_login(people["rita"])

    response = client.post(url(due, "still-valid/"), data)

    assert response.status_code == 422
    assert error in response.content.decode()
    due.refresh_from_db()
    assert due.review_by == days(-3) and not ReviewEvent.objects.exists()


def test_it_refuses_a_decision_that_is_not_accepted(client, people):
    draft = make_decision(people["workspace"], "A draft")
    client.force_login(people["rita"])

    response = client.post(url(draft, "still-valid/"))

    assert response.status_code == 409
    assert "only an accepted decision" in response.content.decode()


def test_still_valid_is_post_only_and_for_reviewers(client, people, due):
    client.force_login(people["rita"])
    assert client.get(url(due, "still-valid/")).status_code == 405
    client.force_login(people["ada"])
    assert client.post(url(due, "still-valid/")).status_code == 403
    client.force_login(people["olga"])
    assert client.post(url(due, "still-valid/")).status_code == 404


# --- a check's state ---------------------------------------------------------------------------


def test_a_failed_check_tells_the_decision_makers_and_marks_the_decision(
    client, people, due, django_capture_on_commit_callbacks
):
    item = check(due, "No public bucket", owner=people["ada"])
    client.force_login(people["ada"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(due, f"confirmation/{item.pk}/state/"),
            {"state": "failed", "note": "Two buckets are public."},
        )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.note, item.set_by) == (
        "failed",
        "Two buckets are public.",
        people["ada"],
    )
    told = Notification.objects.filter(message__contains="failed").values_list("user__username")
    assert sorted(u for (u,) in told) == ["adam", "rob"]  # ada set it herself
    assert sorted(m.to[0] for m in mail.outbox) == ["adam@example.com", "rob@example.com"]
    assert AuditEvent.objects.filter(verb="confirmation_set", decision=due).exists()
    page = client.get(due.get_absolute_url()).content.decode()
    assert "Needs attention" in page
    assert Decision.objects.with_record().get(pk=due.pk).needs_attention


def test_a_failure_needs_a_note(client, people, due):
    item = check(due)
    client.force_login(people["ada"])

    response = client.post(url(due, f"confirmation/{item.pk}/state/"), {"state": "failed"})

    assert response.status_code == 422
    assert "Say what failed" in response.content.decode()
    item.refresh_from_db()
    assert item.state == "pending"


def test_a_check_of_another_decision_is_not_found(client, people, due):
    other = live(people["workspace"], "Another")
    item = check(other)
    client.force_login(people["ada"])

    response = client.post(url(due, f"confirmation/{item.pk}/state/"), {"state": "confirmed"})

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.state == "pending"


def test_checks_are_set_only_once_the_decision_is_accepted(client, people):
    draft = make_decision(people["workspace"], "A draft")
    item = check(draft)
    client.force_login(people["ada"])

    response = client.post(url(draft, f"confirmation/{item.pk}/state/"), {"state": "confirmed"})

    assert response.status_code == 409
    item.refresh_from_db()
    assert item.state == "pending"


def test_viewers_cannot_set_a_check(client, people, due):
    item = check(due)
    client.force_login(people["vic"])

    assert (
        client.post(url(due, f"confirmation/{item.pk}/state/"), {"state": "confirmed"}).status_code
        == 403
    )


# --- the checklist of a draft ------------------------------------------------------------------


@pytest.fixture
def draft(people):
    return make_decision(people["workspace"], "Choose a gateway", owner=people["ada"])


def test_an_author_adds_edits_and_removes_checks(client, people, draft):
    client.force_login(people["ada"])

    response = client.post(
        url(draft, "confirmation/add/"),
        {
            "text": "  Logs   reach the SIEM ",
            "owner": people["rita"].pk,
            "due": days(30),
            "revision": 1,
        },
    )

    assert response.status_code == 302
    item = ConfirmationItem.objects.get()
    assert (item.text, item.owner, item.due) == ("Logs reach the SIEM", people["rita"], days(30))
    assert Contribution.objects.filter(decision=draft, user=people["ada"]).exists()
    draft.refresh_from_db()
    assert draft.revision == 2

    client.post(
        url(draft, f"confirmation/{item.pk}/"),
        {f"item-{item.pk}-text": "Logs reach Splunk", f"item-{item.pk}-revision": 2},
    )
    item.refresh_from_db()
    assert (item.text, item.owner, item.due) == ("Logs reach Splunk", None, None)

    client.post(url(draft, f"confirmation/{item.pk}/remove/"), {"revision": 3})
    assert not ConfirmationItem.objects.exists()


def test_a_stale_page_adds_nothing_and_keeps_the_text(client, people, draft):
    Decision.objects.filter(pk=draft.pk).update(revision=5)
    client.force_login(people["ada"])

    response = client.post(url(draft, "confirmation/add/"), {"text": "Logs", "revision": 4})

    assert response.status_code == 409
    assert "Someone else changed this decision" in response.content.decode()
    assert 'value="Logs"' in response.content.decode()
    assert not ConfirmationItem.objects.exists()


@pytest.mark.parametrize(
    "data,error",
    [
        ({"text": "   ", "revision": 1}, "This field is required"),
        ({"text": "x" * 501, "revision": 1}, "at most 500 characters"),
        ({"text": "Logs", "owner": "999999", "revision": 1}, "Select a valid choice"),
        ({"text": "Logs", "due": "31/02/2027", "revision": 1}, "Enter a valid date"),
        ({"text": "Logs"}, "The page is out of date"),
    ],
)
def test_it_refuses_a_bad_check(client, people, draft, data, error):
    client.force_login(people["ada"])

    response = client.post(url(draft, "confirmation/add/"), data)

    assert response.status_code == 422
    assert error in response.content.decode()
    assert not ConfirmationItem.objects.exists()


def test_an_owner_must_be_a_member_of_the_workspace(client, people, draft):
    client.force_login(people["ada"])

    response = client.post(
        url(draft, "confirmation/add/"), {"text": "Logs", "owner": people["olga"].pk, "revision": 1}
    )

    assert response.status_code == 422
    assert not ConfirmationItem.objects.exists()


def test_an_accepted_checklist_does_not_change(client, people, due):
    item = check(due)
    client.force_login(people["ada"])

    added = client.post(url(due, "confirmation/add/"), {"text": "More", "revision": due.revision})
    removed = client.post(url(due, f"confirmation/{item.pk}/remove/"), {"revision": due.revision})

    assert added.status_code == removed.status_code == 409
    assert list(ConfirmationItem.objects.all()) == [item]


def test_the_checklist_page_is_for_people_who_may_edit(client, people, draft):
    client.force_login(people["vic"])
    assert client.get(url(draft, "confirmation/")).status_code == 403
    client.force_login(people["olga"])
    assert client.get(url(draft, "confirmation/")).status_code == 404
    client.force_login(people["ada"])
    page = client.get(url(draft, "confirmation/"))
    assert page.status_code == 200 and 'id="add-check"' in page.content.decode()


def test_the_checklist_answers_htmx_with_its_region(client, people, draft):
    client.force_login(people["ada"])

    response = client.post(
        url(draft, "confirmation/add/"), {"text": "Logs", "revision": 1}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="checklist"')


def test_the_due_page_lists_what_is_mine(client, people, due):
    check(due, "Rotate keys", owner=people["rita"], due=days(2))
    client.force_login(people["rita"])

    page = client.get("/due/").content.decode()

    assert "Check “Rotate keys” of ADR-" in page
    assert "Review ADR-" not in page  # rita neither owns nor decided it


# --- the approver's review date ----------------------------------------------------------------


def test_an_approver_chooses_the_review_date(client, people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    client.force_login(people["rita"])

    client.post(url(decision, "review/approve/"), {"review_by": days(20).isoformat()})

    decision.refresh_from_db()
    assert decision.status == "accepted" and decision.review_by == days(20)


@pytest.mark.parametrize("value", ["2027-02-30", "soon", "9" * 10_000, "today"])
def test_a_bad_review_date_approves_nothing(client, people, value):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    client.force_login(people["rita"])
    value = today().isoformat() if value == "today" else value

    response = client.post(url(decision, "review/approve/"), {"review_by": value})

    assert response.status_code == 422
    decision.refresh_from_db()
    assert decision.status == "in_review" and not open_round(decision).approvals.exists()


def test_revisit_reopens_the_decision_as_a_draft_without_a_review_date(client, people):
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])
    client.force_login(people["ada"])
    assert "Revisit" in client.get(decision.get_absolute_url()).content.decode()

    client.post(url(decision, "status/"), {"to": "draft", "seen": "accepted", "reason": "Costs"})

    decision.refresh_from_db()
    assert decision.status == "draft" and decision.review_by is None


def test_the_editors_outcome_step_links_the_checklist(client, people, draft):
    client.force_login(people["ada"])

    page = client.get(url(draft, "edit/outcome/")).content.decode()

    assert f'href="/w/team/{draft.number}/confirmation/"' in page
