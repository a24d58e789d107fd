"""Notifications from the real review flows, driven through the views as people click them.

Each flow should leave a Notification row for the person concerned and, once the request's
transaction commits, an email to them; the person who acted hears nothing about their own act.
"""

import pytest
from django.core import mail

from apps.activity.models import Notification
from apps.reviews.models import Thread, submit_for_review

from ..factories import add_member, make_team, make_user
from ..reviews.helpers import draft, in_review


@pytest.fixture
def people(workspace):
    """The review team, each with an email address to be told at and a first name."""
    team = make_team(workspace, first_names=True, ada="author", rita="reviewer", rob="reviewer")
    return {"workspace": workspace, **team}


def url(decision, tail: str) -> str:
    return f"/w/{decision.workspace.slug}/{decision.number}/{tail}"


def notes(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


def mailed(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if address in m.to]


def post_and_commit(client, django_capture_on_commit_callbacks, path: str, data=None):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(path, data or {})
    assert response.status_code == 302, response.content.decode()[:500]
    return callbacks


def test_it_notifies_each_reviewer_asked(client, people, django_capture_on_commit_callbacks):
    decision = draft(people["workspace"], people["ada"])
    client.force_login(people["ada"])

    post_and_commit(
        client,
        django_capture_on_commit_callbacks,
        url(decision, "review/submit/"),
        {"reviewers": [people["rita"].pk, people["rob"].pk], "approvals_needed": 1},
    )

    for name in ("rita", "rob"):
        assert notes(people[name]) == [f"Ada asks you to review {decision}."]
        [email] = mailed(f"{name}@example.com")
        assert email.subject == f"[Adroit] Ada asks you to review {decision}."
        assert decision.get_absolute_url() in email.body
    assert notes(people["ada"]) == [] and mailed("ada@example.com") == []


def test_it_emails_only_after_the_commit(client, people, django_capture_on_commit_callbacks):
    decision = draft(people["workspace"], people["ada"])
    client.force_login(people["ada"])
    data = {"reviewers": [people["rita"].pk], "approvals_needed": 1}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url(decision, "review/submit/"), data)

    # The row is there inside the transaction; the email waits for it to commit.
    assert notes(people["rita"]) and mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mailed("rita@example.com")) == 1


def test_it_notifies_the_author_of_a_comment(client, people, django_capture_on_commit_callbacks):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    mail.outbox.clear()
    client.force_login(people["rita"])

    post_and_commit(
        client,
        django_capture_on_commit_callbacks,
        url(decision, "review/threads/"),
        {"section": "context", "body": "Why now?"},
    )

    thread = Thread.objects.get()
    expected = f"Rita commented on Context and Problem Statement of {decision}."
    assert notes(people["ada"]) == [expected]
    [email] = mailed("ada@example.com")
    assert expected in email.body and f"#thread-{thread.pk}" in email.body
    assert mailed("rita@example.com") == []


def test_it_notifies_the_author_of_a_reply_by_someone_else(
    client, people, django_capture_on_commit_callbacks
):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]])
    thread = Thread.start(decision, "context", people["rita"], "Why now?")
    Notification.objects.all().delete()
    client.force_login(people["rob"])

    post_and_commit(
        client,
        django_capture_on_commit_callbacks,
        url(decision, f"review/threads/{thread.pk}/reply/"),
        {"body": "Agreed, why?"},
    )

    assert notes(people["ada"]) == [
        f"Rob commented on Context and Problem Statement of {decision}."
    ]


def test_it_does_not_notify_the_author_of_their_own_reply(
    client, people, django_capture_on_commit_callbacks
):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    thread = Thread.start(decision, "context", people["rita"], "Why now?")
    Notification.objects.all().delete()
    mail.outbox.clear()
    client.force_login(people["ada"])

    post_and_commit(
        client,
        django_capture_on_commit_callbacks,
        url(decision, f"review/threads/{thread.pk}/reply/"),
        {"body": "Because the old one is retired."},
    )

    assert thread.comments.count() == 2
    assert notes(people["ada"]) == [] and mail.outbox == []


def test_it_does_not_notify_the_author_of_their_own_comment(
    client, people, django_capture_on_commit_callbacks
):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    Notification.objects.all().delete()
    mail.outbox.clear()
    client.force_login(people["ada"])

    post_and_commit(
        client,
        django_capture_on_commit_callbacks,
        url(decision, "review/threads/"),
        {"section": "context", "body": "A note to myself."},
    )

    assert Thread.objects.count() == 1
    assert notes(people["ada"]) == [] and mail.outbox == []


def test_it_notifies_the_author_of_an_approval(client, people, django_capture_on_commit_callbacks):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    mail.outbox.clear()
    client.force_login(people["rita"])

    post_and_commit(client, django_capture_on_commit_callbacks, url(decision, "review/approve/"))

    assert notes(people["ada"]) == [f"Rita approved {decision}."]
    [email] = mailed("ada@example.com")
    assert email.subject == f"[Adroit] Rita approved {decision}."
    assert notes(people["rita"]) == [f"Ada asks you to review {decision}."]
    assert mailed("rita@example.com") == []


def test_it_notifies_the_author_of_a_change_request(
    client, people, django_capture_on_commit_callbacks
):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    mail.outbox.clear()
    client.force_login(people["rita"])

    post_and_commit(
        client,
        django_capture_on_commit_callbacks,
        url(decision, "review/request-changes/"),
        {"note": "Compare the costs."},
    )

    assert notes(people["ada"]) == [f"Rita asks for changes to {decision}."]
    [email] = mailed("ada@example.com")
    assert decision.get_absolute_url() in email.body
    assert mailed("rita@example.com") == []


def test_it_notifies_the_one_who_submitted_as_well_as_the_owner(
    client, people, django_capture_on_commit_callbacks
):
    # Ada owns the decision; Adam, an admin, sent it to review: both are its authors.
    adam = make_user("adam", email="adam@example.com", first_name="Adam")
    add_member(people["workspace"], adam, "admin")
    decision = draft(people["workspace"], people["ada"])
    submit_for_review(decision, by=adam, reviewers=[people["rita"]])
    mail.outbox.clear()
    client.force_login(people["rita"])

    post_and_commit(client, django_capture_on_commit_callbacks, url(decision, "review/approve/"))

    assert notes(people["ada"]) == [f"Rita approved {decision}."]
    assert notes(adam) == [f"Rita approved {decision}."]
    assert {tuple(m.to) for m in mail.outbox} == {("ada@example.com",), ("adam@example.com",)}


def test_it_notifies_no_one_when_a_submitter_names_themself(
    client, people, django_capture_on_commit_callbacks
):
    # Whoever sends a draft to review is one of its authors (four eyes), so naming themself as
    # a reviewer is refused, and a refused submit must not tell anyone they were asked.
    adam = make_user("adam", email="adam@example.com", first_name="Adam")
    add_member(people["workspace"], adam, "admin")
    decision = draft(people["workspace"], people["ada"])
    client.force_login(adam)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(decision, "review/submit/"),
            {"reviewers": [adam.pk, people["rita"].pk], "approvals_needed": 1},
        )

    assert response.status_code == 422
    assert notes(people["rita"]) == [] and notes(adam) == []
    assert mailed("rita@example.com") == [] and mailed("adam@example.com") == []
