import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.activity.events import notify, record_event
from apps.activity.models import AuditEvent, Notification

from ..factories import make_decision, make_user


def test_it_records_an_event_about_a_decision(workspace):
    ada = make_user("ada")
    decision = make_decision(workspace, "Use PostgreSQL")

    event = record_event(workspace, ada, "approved", target=decision, sha256="abc")

    event.refresh_from_db()
    assert event.actor == ada and event.actor_label == "ada"
    assert event.decision == decision and event.target_type == "decisions.decision"
    assert event.target_id == str(decision.pk) and "Use PostgreSQL" in event.target_label
    assert event.data == {"sha256": "abc"} and event.verb == "approved"


def test_it_records_an_event_without_actor_or_target(workspace):
    event = record_event(workspace, None, "imported", files=3)

    assert event.actor is None and event.target_label == "" and event.data == {"files": 3}


def test_it_refuses_to_change_or_delete_an_event(workspace):
    event = record_event(workspace, None, "exported")

    event.verb = "nothing happened"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="x")
    with pytest.raises(ValidationError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().verb == "exported"


def test_it_keeps_the_event_when_the_actor_is_deleted(workspace):
    ada = make_user("ada")
    record_event(workspace, ada, "exported")

    ada.delete()

    event = AuditEvent.objects.get()
    assert event.actor is None and event.actor_label == "ada"


def test_it_notifies_in_the_app_and_by_email_after_commit(db, django_capture_on_commit_callbacks):
    rita = make_user("rita", email="rita@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        notify(rita, "Ada asks you to review ADR-0001.", url="/w/team/decisions/1/")

    assert Notification.objects.get().message == "Ada asks you to review ADR-0001."
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rita@example.com"]
    assert "http://127.0.0.1:8000/w/team/decisions/1/" in mail.outbox[0].body


def test_it_sends_no_email_when_the_transaction_rolls_back(db, django_capture_on_commit_callbacks):
    rita = make_user("rita", email="rita@example.com")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(rita, "Review please.")

    assert len(callbacks) == 1 and mail.outbox == []


def test_it_skips_email_for_users_without_an_address(db, django_capture_on_commit_callbacks):
    rob = make_user("rob")

    with django_capture_on_commit_callbacks(execute=True):
        notify(rob, "Review please.")
        notify(make_user("rita", email="r@example.com"), "Quiet.", email=False)

    assert Notification.objects.count() == 2 and mail.outbox == []


def test_the_admin_shows_events_read_only(client, workspace):
    event = record_event(workspace, None, "exported", target="ADR-0001")
    client.force_login(make_user("stella", is_staff=True, is_superuser=True))

    assert client.get(reverse("admin:activity_auditevent_changelist")).status_code == 200
    change = client.get(reverse("admin:activity_auditevent_change", args=[event.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content
    assert client.get(reverse("admin:activity_auditevent_add")).status_code == 403
    delete = reverse("admin:activity_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
