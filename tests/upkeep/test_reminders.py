"""`send_reminders`: one digest a person a day, of only what they own or decided."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from apps.activity.models import Notification
from apps.upkeep.models import Digest
from apps.upkeep.reminders import send_reminders

from ..factories import add_member, make_team, make_user, make_workspace
from ..threads import at_once
from .helpers import check, days, decided_by, live, today


@pytest.fixture
def due(people):
    """ada owns one decision due for review, rob decided another; rita owns an overdue check;
    a decision due far later and a draft concern nobody today."""
    w = people["workspace"]
    owned = live(w, "Owned by Ada", review_in=3, owner=people["ada"])
    decided = live(w, "Decided by Rob", review_in=-2)
    decided_by(decided, "rob")
    checked = live(w, "Checked by Rita", review_in=200)
    check(checked, "Logs reach the SIEM", owner=people["rita"], due=days(-1))
    check(checked, "Done already", owner=people["rita"], due=days(-1), state="confirmed")
    live(w, "Later", review_in=60, owner=people["ada"])
    live(w, "A draft", review_in=-9, owner=people["ada"], status="draft")
    return {"owned": owned, "decided": decided, "checked": checked}


@pytest.mark.django_db
def test_it_sends_each_person_one_digest_of_what_is_theirs(
    people, due, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_reminders()

    assert sent == 3
    by_person = {d.user.username: [i["title"] for i in d.items] for d in Digest.objects.all()}
    assert by_person == {
        "ada": ["Owned by Ada"],
        "rob": ["Decided by Rob"],
        "rita": ["Logs reach the SIEM"],
    }
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada@example.com",
        "rita@example.com",
        "rob@example.com",
    ]
    ada = next(m for m in mail.outbox if m.to == ["ada@example.com"])
    assert "Owned by Ada" in ada.body and "Decided by Rob" not in ada.body
    assert f"/w/team/{due['owned'].number}/" in ada.body
    assert Notification.objects.filter(user=people["ada"]).count() == 1


@pytest.mark.django_db
def test_running_twice_on_one_day_sends_nothing_more(
    people, due, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    assert len(mail.outbox) == 3
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 0
        call_command("send_reminders")

    assert mail.outbox == []
    assert Digest.objects.count() == 3
    assert Notification.objects.filter(user=people["ada"]).count() == 1


@pytest.mark.django_db
def test_the_next_day_sends_again(people, due):
    send_reminders(today())

    assert send_reminders(days(1)) == 3
    assert Digest.objects.filter(user=people["ada"]).count() == 2


@pytest.mark.django_db
def test_it_leaves_out_people_who_left_the_workspace_and_other_workspaces(people, due):
    people["workspace"].memberships.filter(user=people["rob"]).delete()
    elsewhere = make_workspace("elsewhere")
    stranger = make_user("sam", email="sam@example.com")
    add_member(elsewhere, stranger, "admin")
    live(elsewhere, "Someone else's", review_in=1, owner=stranger)

    send_reminders()

    assert set(Digest.objects.values_list("user__username", flat=True)) == {"ada", "rita", "sam"}
    sam = Digest.objects.get(user=stranger)
    assert [i["title"] for i in sam.items] == ["Someone else's"]


@pytest.mark.django_db
def test_a_decision_maker_is_found_by_full_name(people):
    w = people["workspace"]
    [grace] = make_team(w, grace="reviewer").values()
    grace.first_name, grace.last_name = "Grace", "Hopper"
    grace.save()
    decision = live(w, "Use COBOL", review_in=0)
    decided_by(decision, "Grace Hopper", "Somebody Unknown")

    send_reminders()

    assert [d.user for d in Digest.objects.all()] == [grace]


@pytest.mark.django_db
def test_the_command_says_how_many_it_sent(people, due, capsys):
    call_command("send_reminders", "--day", today().isoformat())

    assert "Sent 3 reminder digests." in capsys.readouterr().out


@pytest.mark.django_db
def test_the_command_refuses_a_bad_day():
    with pytest.raises(CommandError, match="--day must be a date"):
        call_command("send_reminders", "--day", "tomorrow")


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_person_one_digest(people, due):
    sent = []

    errors = at_once([lambda: sent.append(send_reminders()) for _ in range(4)])

    assert errors == []
    assert sum(sent) == 3
    assert Digest.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada@example.com",
        "rita@example.com",
        "rob@example.com",
    ]
    assert Notification.objects.filter(message__startswith="Due for you").count() == 3
    # On SQLite the database lock queues the workers; PostgreSQL lets them run side by side and
    # the unique (person, day) decides: both are run by CI.
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.django_db
def test_a_long_digest_lists_the_oldest_fifty_and_says_how_many_more(
    people, django_capture_on_commit_callbacks
):
    for n in range(53):
        live(people["workspace"], f"Decision {n}", review_in=n % 7 - 3, owner=people["ada"])

    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()

    [email] = mail.outbox
    assert email.body.count("\n- Review ") == 50 and "- and 3 more." in email.body
    assert "Due for you: 53 items" in email.subject
    assert len(Digest.objects.get(user=people["ada"]).items) == 53
