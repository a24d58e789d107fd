"""Only a decision that is accepted or in review is superseded; a draft is withdrawn instead.

An accepted decision that "supersedes" a draft used to leave the draft "Draft" and editable while
its page said "Superseded by".
"""

from __future__ import annotations

import pytest

from apps.decisions.models import Decision, Relation, Status
from apps.reviews.models import ReviewError, ReviewRound, submit_for_review

from ..reviews.helpers import accepted, draft, in_review, open_round

HTMX = {"HX-Request": "true"}


def supersedes(new: Decision, old: Decision) -> None:
    Relation.objects.create(source=new, target=old, kind="supersedes")


def status(decision: Decision) -> str:
    return Decision.objects.get(pk=decision.pk).status


def test_it_refuses_to_send_a_decision_superseding_a_draft_to_review(people):
    old = draft(people["workspace"], people["ada"], title="Use NGINX")
    new = draft(people["workspace"], people["ada"], title="Use API Gateway")
    supersedes(new, old)

    with pytest.raises(ReviewError, match=r"supersedes ADR-0001, a draft.*Withdraw the draft"):
        submit_for_review(new, by=people["ada"], reviewers=[people["rita"]])

    assert status(new) == status(old) == Status.DRAFT
    assert not ReviewRound.objects.filter(decision=new).exists()


def test_it_withdraws_a_draft_reopened_before_its_successor_is_accepted(people):
    old, _ = accepted(people["workspace"], people["ada"], people["rita"], title="Use NGINX")
    new = in_review(people["workspace"], people["ada"], [people["rita"]], title="Use a gateway")
    supersedes(new, old)
    old.move_to(Status.DRAFT, by=people["ada"], reason="Rethink")  # reopened meanwhile

    open_round(new).approve(people["rita"])

    assert status(new) == Status.ACCEPTED
    assert status(old) == Status.REJECTED  # withdrawn: neither "Draft" nor editable
    change = old.status_changes.last()
    assert (change.from_status, change.to_status) == (Status.DRAFT, Status.REJECTED)
    assert "Withdrawn: ADR-0002 supersedes it" in change.reason
    # The editor saves drafts only: the withdrawn text takes no edit.
    assert not Decision.objects.get(pk=old.pk).bump_revision(old.revision, title="Edited")


def test_it_supersedes_a_decision_in_review_and_closes_its_review(people):
    old = in_review(people["workspace"], people["ada"], [people["rob"]], title="Use NGINX")
    new = in_review(people["workspace"], people["ada"], [people["rita"]], title="Use a gateway")
    supersedes(new, old)

    open_round(new).approve(people["rita"])

    assert status(old) == Status.SUPERSEDED
    round = ReviewRound.objects.get(decision=old)
    assert round.closed_at is not None and round.outcome == Status.SUPERSEDED


def test_it_still_supersedes_an_accepted_decision(people):
    old, _ = accepted(people["workspace"], people["ada"], people["rita"], title="Use NGINX")
    new = in_review(people["workspace"], people["ada"], [people["rita"]], title="Use a gateway")
    supersedes(new, old)
    open_round(new).approve(people["rita"])
    assert status(old) == Status.SUPERSEDED
    assert old.status_changes.last().reason == f"Superseded by {new.ref}."


def test_its_panel_says_why_the_submission_is_refused(client, people):
    old = draft(people["workspace"], people["ada"], title="Use NGINX")
    new = draft(people["workspace"], people["ada"], title="Use API Gateway")
    supersedes(new, old)
    client.force_login(people["ada"])
    data = {"reviewers": [people["rita"].pk], "approvals_needed": 1}
    response = client.post(f"/w/team/{new.number}/review/submit/", data, headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="notice notice-error" role="alert" id="submit-refused"' in html
    assert "supersedes ADR-0001, a draft" in html
    assert status(new) == Status.DRAFT


def test_its_draft_page_says_it_is_not_superseded_and_offers_to_withdraw(client, people):
    old = draft(people["workspace"], people["ada"], title="Use NGINX")
    new = draft(people["workspace"], people["ada"], title="Use API Gateway")
    supersedes(new, old)
    client.force_login(people["ada"])
    page = client.get(old.get_absolute_url()).content.decode()
    assert "a draft is not superseded" in page
    assert 'id="move-rejected"' in page and ">Withdraw draft</button>" in page


def test_it_lets_the_writers_withdraw_a_draft_and_says_so(client, people):
    decision = draft(people["workspace"], people["ada"])
    client.force_login(people["vic"])  # a viewer may not
    data = {"to": "rejected", "reason": "Overtaken.", "seen": "draft"}
    assert client.post(f"/w/team/{decision.number}/status/", data).status_code == 403
    client.force_login(people["ada"])  # an author may
    response = client.post(f"/w/team/{decision.number}/status/", data, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This draft was withdrawn: Overtaken." in html
    assert 'class="status status-rejected"' in html  # the badge, out of band
    assert status(decision) == Status.REJECTED


def test_it_keeps_rejecting_a_text_in_review_for_reviewers(client, people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    client.force_login(people["ada"])
    # "seen" saying draft borrows no right: the stored status decides, under the row lock.
    for seen in ["in_review", "draft", ""]:
        data = {"to": "rejected", "reason": "Mine.", "seen": seen}
        response = client.post(f"/w/team/{decision.number}/status/", data)
        assert response.status_code in (403, 409)
    assert status(decision) == Status.IN_REVIEW
