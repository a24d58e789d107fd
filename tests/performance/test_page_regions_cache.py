"""The decision page's cached regions (the cut text, each section's comment region, the review
panel) are never stale and never someone else's: each test reads the page first, so what can
be cached is, then changes the review or reads as another person, and checks the next read.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.middleware.csrf import _does_token_match, _unmask_cipher_token
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from apps.reviews.models import Contribution, ReviewRound, Thread, move_by_hand
from apps.workspaces.models import Workspace

from ..factories import add_member, make_decision, make_user
from ..reviews.helpers import draft, in_review, open_round

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def url(decision) -> str:
    return f"/w/{decision.workspace.slug}/{decision.number}/"


def page(client, decision) -> str:
    response = client.get(url(decision))
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


@pytest.fixture
def decision(people):
    return draft(people["workspace"], people["ada"])


def test_it_shows_a_new_comment_beside_its_section_on_the_next_read(people, decision):
    ada, rita = signed_in(people["ada"]), signed_in(people["rita"])
    before = page(ada, decision)
    assert "Is REST worth its cost?" not in before
    page(ada, decision)  # a read from the cache

    Thread.start(decision, "scenario:REST API", people["rita"], "Is REST worth its cost?")
    after = page(ada, decision)
    region = after.split('id="threads-section-scenario-rest-api"', 1)[1].split("</details>", 1)[0]
    assert "Is REST worth its cost?" in region
    assert "1 open comment" in region
    # The reviewer, who never read the page before, sees it too.
    assert "Is REST worth its cost?" in page(rita, decision)


def test_it_shows_a_resolved_thread_as_resolved_on_the_next_read(people, decision):
    ada = signed_in(people["ada"])
    thread = Thread.start(decision, "context", people["rita"], "Which teams?")
    assert "1 open comment" in page(ada, decision)
    thread.resolve(people["ada"])
    after = page(ada, decision)
    assert "1 open comment" not in after
    assert "1 resolved comment" in after


def test_it_shows_a_submission_an_approval_and_a_change_request_on_the_next_read(people, decision):
    ada, rita = signed_in(people["ada"]), signed_in(people["rita"])
    assert "Submit for review" in page(ada, decision)
    page(rita, decision)

    in_review_now = in_review(people["workspace"], people["ada"], [people["rita"]], needed=2)
    assert "0 of 2" in page(rita, in_review_now)
    round = open_round(in_review_now)
    round.approve(people["rob"])
    assert "1 of 2" in page(rita, in_review_now)
    round.request_changes(people["rob"], "Name the **costs** per call.")
    shown = page(ada, in_review_now)
    assert "asks for changes" in shown
    assert "<strong>costs</strong>" in shown


def test_it_offers_a_new_or_renamed_reviewer_on_the_next_read(people, decision):
    ada = signed_in(people["ada"])
    assert "ruth" not in page(ada, decision)
    add_member(people["workspace"], make_user("ruth"), "reviewer")
    assert "ruth" in page(ada, decision)
    # A reviewer's new name is the ask form's label on the next read, too.
    people["rob"].first_name, people["rob"].last_name = "Robin", "Vale"
    people["rob"].save()
    assert "Robin Vale" in page(ada, decision)


def test_it_gives_each_reader_the_forms_of_their_own_role(people, decision):
    # The author reads first, so every region a writer sees is cached; then a viewer reads.
    writer = page(signed_in(people["ada"]), decision)
    reader = page(signed_in(people["vic"]), decision)
    assert "New comment on" in writer and "Submit for review" in writer
    assert "New comment on" not in reader
    assert "Submit for review" not in reader
    assert "Comment on a section" not in reader
    # And a writer after the viewer gets the writer's page again.
    assert "New comment on" in page(signed_in(people["rob"]), decision)


def test_it_gives_each_reader_their_own_csrf_token(people, decision):
    ada, rita = signed_in(people["ada"], csrf=True), signed_in(people["rita"], csrf=True)
    first = page(ada, decision)
    second = page(rita, decision)  # the regions come from the cache the author's read filled
    assert "csrf-token-of-the-reader" not in first + second
    secrets = {
        "ada": ada.cookies["csrftoken"].value,
        "rita": rita.cookies["csrftoken"].value,
    }
    tokens = TOKEN.findall(second)
    assert len(tokens) > 3
    for token in tokens:
        assert _does_token_match(token, secrets["rita"])
        assert _unmask_cipher_token(token) != secrets["ada"]
    # A form of the cached region posts with the reader's own token.
    form = second.split('id="threads-section-context"', 1)[1]
    response = rita.post(
        f"/w/{decision.workspace.slug}/{decision.number}/review/threads/",
        {"csrfmiddlewaretoken": TOKEN.search(form).group(1), "section": "context", "body": "Hm?"},
    )
    assert response.status_code == 302
    assert Thread.objects.filter(decision=decision, section="context").exists()


# A decision in review: its panel and commented sections are cached too, under the review's
# stamp (apps/reviews/panel.py STATE). Each step of a review makes a new stamp.


@pytest.fixture
def reviewing(people):
    return in_review(people["workspace"], people["ada"], [people["rita"]], needed=2)


def test_it_shows_a_reply_and_a_reopened_thread_on_the_next_read(people, reviewing):
    ada = signed_in(people["ada"])
    thread = Thread.start(reviewing, "context", people["rita"], "Which teams?")
    page(ada, reviewing)
    thread.reply(people["ada"], "The payments teams.")
    assert "The payments teams." in page(ada, reviewing)
    thread.resolve(people["ada"])
    assert "1 resolved comment" in page(ada, reviewing)
    thread.reopen(people["ada"])
    assert "1 open comment" in page(ada, reviewing)


def test_it_shows_a_withdrawn_change_request_on_the_next_read(people, reviewing):
    rita = signed_in(people["rita"])
    change = open_round(reviewing).request_changes(people["rita"], "Name the costs.")
    assert "Name the costs." in page(rita, reviewing)
    change.withdraw(people["rita"])
    assert "Name the costs." not in page(rita, reviewing)


def test_it_shows_more_reviewers_and_approvals_needed_on_the_next_read(people, reviewing):
    ada = signed_in(people["ada"])
    assert "0 of 2" in page(ada, reviewing)
    ReviewRound.open_for(reviewing, by=people["ada"], reviewers=[people["rob"]], approvals_needed=3)
    shown = page(ada, reviewing)
    assert "0 of 3" in shown
    assert "Reviewers: rita, rob." in shown


def test_it_shows_an_approval_that_no_longer_counts_on_the_next_read(people, reviewing):
    ada = signed_in(people["ada"])
    open_round(reviewing).approve(people["rob"])
    assert "1 of 2" in page(ada, reviewing)
    # Rob writes part of the text, as the editor records it: his approval is void.
    Contribution.record(reviewing, people["rob"])
    shown = page(ada, reviewing)
    assert "0 of 2" in shown
    assert "so that approval does not count" in shown


def test_it_shows_a_commenter_s_new_name_on_the_next_read(people, reviewing):
    # An author, who is no reviewer: the ask form does not name them, the comment does.
    abe = make_user("abe")
    add_member(people["workspace"], abe, "author")
    rita = signed_in(people["rita"])
    Thread.start(reviewing, "context", abe, "Which teams?")
    assert "abe ·" in page(rita, reviewing)
    abe.first_name, abe.last_name = "Abe", "Lincoln"
    abe.save()
    assert "Abe Lincoln ·" in page(rita, reviewing)


def test_it_shows_the_new_name_of_a_commenter_who_left_on_the_next_read(people, reviewing):
    # No longer a member, so the members' names in the stamp do not name them: their comment
    # and their approval still do.
    abe = make_user("abe")
    membership = add_member(people["workspace"], abe, "reviewer")
    rita = signed_in(people["rita"])
    Thread.start(reviewing, "context", abe, "Which teams?")
    open_round(reviewing).approve(abe)
    membership.delete()
    assert "abe ·" in page(rita, reviewing)
    abe.first_name, abe.last_name = "Abe", "Lincoln"
    abe.save()
    shown = page(rita, reviewing)
    assert "Abe Lincoln ·" in shown
    assert "abe ·" not in shown


def test_it_gives_only_the_reviewer_who_asked_the_form_to_withdraw(people, reviewing):
    open_round(reviewing).request_changes(people["rita"], "Name the costs.")
    # Rita reads first, so the panel with her change request is cached; then Rob reads it.
    assert "Withdraw my request" in page(signed_in(people["rita"]), reviewing)
    assert "Withdraw my request" not in page(signed_in(people["rob"]), reviewing)


def test_it_shows_a_move_back_to_draft_on_the_next_read(people, reviewing):
    ada = signed_in(people["ada"])
    Thread.start(reviewing, "context", people["rita"], "Which teams?")
    assert "Submit for review" not in page(ada, reviewing)
    move_by_hand(reviewing, "draft", people["ada"], "Not ready.", seen="in_review")
    shown = page(ada, reviewing)
    assert 'id="decision-status" class="status status-draft"' in shown
    assert "Submit for review" in shown


# The page's main region is cached whole: what it shows beyond the decision and the review.


def test_it_shows_the_workspace_s_new_name_and_review_period_on_the_next_read(people, decision):
    ada = signed_in(people["ada"])
    assert "Team" in page(ada, decision)
    workspace = people["workspace"]
    Workspace.objects.filter(pk=workspace.pk).update(name="Platform team")
    assert f"{decision.ref} · Platform team" in page(ada, decision)
    Workspace.objects.filter(pk=workspace.pk).update(review_months=7)
    in_review_now = in_review(workspace, people["ada"], [people["rita"]])
    rita = signed_in(people["rita"])
    assert "default: 7 months after acceptance" in page(rita, in_review_now)
    Workspace.objects.filter(pk=workspace.pk).update(review_months=9)
    assert "default: 9 months after acceptance" in page(rita, in_review_now)


def test_it_shows_a_review_date_as_overdue_the_day_after_it(people):
    decision = make_decision(
        people["workspace"], status="accepted", review_by=timezone.localdate(), owner=people["ada"]
    )
    ada = signed_in(people["ada"])
    assert "badge-overdue" not in page(ada, decision)
    # Just after midnight: within the day the cache keeps an entry, so only the date is new.
    tomorrow = timezone.localtime().replace(hour=0, minute=1) + datetime.timedelta(days=1)
    with freeze_time(tomorrow):
        assert "badge-overdue" in page(ada, decision)
