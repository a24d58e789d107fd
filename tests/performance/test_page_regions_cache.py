"""The decision page's cached regions (the cut text, each section's comment region, the review
panel) are never stale and never someone else's: each test reads the page first, so what can
be cached is, then changes the review or reads as another person, and checks the next read.
"""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import _does_token_match, _unmask_cipher_token
from django.test import Client

from apps.reviews.models import Thread

from ..factories import add_member, make_user
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
