"""The audit log from the real flows: each status change, approval, version and export leaves
one event saying who did it and when."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.activity.models import AuditEvent
from apps.exports.models import ExportJob
from apps.exports.tasks import build

from ..factories import add_member, make_decision, make_team, make_user, make_workspace
from ..reviews.helpers import accepted, in_review


@pytest.fixture
def people(workspace):
    return {
        "workspace": workspace,
        **make_team(workspace, ada="author", rita="reviewer", adam="admin"),
    }


def url(decision, tail: str) -> str:
    return f"/w/{decision.workspace.slug}/{decision.number}/{tail}"


def events(verb: str, **data) -> list[AuditEvent]:
    found = AuditEvent.objects.filter(verb=verb).order_by("id")
    return [e for e in found if all(e.data.get(k) == v for k, v in data.items())]


def assert_by(event: AuditEvent, user, since) -> None:
    """The event names its actor, as a link and as text, and happened during the test."""
    assert event.actor == user and event.actor_label == user.get_username()
    assert since <= event.created_at <= timezone.now()


@pytest.fixture
def since():
    return timezone.now() - timedelta(seconds=1)


def test_it_records_a_status_change_made_on_the_model(people, since):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])

    decision.move_to("rejected", by=people["rita"], reason="Too costly.")

    [event] = events("status_changed", to_status="rejected")
    assert_by(event, people["rita"], since)
    assert event.decision == decision and event.workspace == people["workspace"]
    assert event.data == {
        "from_status": "in_review",
        "to_status": "rejected",
        "reason": "Too costly.",
    }


def test_it_records_a_status_change_made_through_the_page(client, people, since):
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])
    client.force_login(people["adam"])

    response = client.post(url(decision, "status/"), {"to": "deprecated", "reason": "Retired."})

    assert response.status_code == 302
    [event] = events("status_changed", to_status="deprecated")
    assert_by(event, people["adam"], since)
    assert event.data["reason"] == "Retired." and event.target_label == str(decision)


def test_it_records_no_event_for_a_refused_move(client, people):
    decision = make_decision(people["workspace"], owner=people["ada"])
    client.force_login(people["adam"])

    response = client.post(url(decision, "status/"), {"to": "deprecated", "reason": "x"})

    assert response.status_code == 422
    assert not AuditEvent.objects.filter(verb="status_changed").exists()


def test_it_records_the_approval_and_the_version_it_froze(client, people, since):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    client.force_login(people["rita"])

    assert client.post(url(decision, "review/approve/")).status_code == 302

    version = decision.versions.get()
    [approved] = events("approved")
    assert_by(approved, people["rita"], since)
    # Approvals are pinned to the content's hash; the version has the hash of its Markdown.
    [approval] = version.approvals
    assert approved.decision == decision
    assert approved.data == {"sha256": approval["content_sha256"]}
    [frozen] = events("version_frozen")
    assert_by(frozen, people["rita"], since)
    assert frozen.data == {"version": 1, "sha256": version.sha256}
    [accepting] = events("status_changed", to_status="accepted")
    assert_by(accepting, people["rita"], since)


def test_it_records_an_approval_that_does_not_yet_accept(client, people, since):
    rob = make_user("rob")
    add_member(people["workspace"], rob, "reviewer")
    decision = in_review(people["workspace"], people["ada"], [people["rita"], rob], needed=2)
    client.force_login(rob)

    client.post(url(decision, "review/approve/"))

    [event] = events("approved")
    assert_by(event, rob, since)
    assert events("version_frozen") == []


@pytest.mark.parametrize(
    "tail,data",
    [
        ("{number}.md", {"format": "md"}),
        ("{number}.pdf", {"format": "pdf"}),
        ("{number}/versions/1.md", {"format": "md", "version": 1}),
        ("{number}/versions/1.pdf", {"format": "pdf", "version": 1}),
    ],
)
def test_it_records_each_download(client, people, since, tail, data):
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])
    client.force_login(people["ada"])

    response = client.post(f"/w/team/{tail.format(number=decision.number)}")

    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    [event] = events("exported")
    assert_by(event, people["ada"], since)
    assert event.decision == decision and event.data == data


def test_it_records_the_request_and_the_download_of_a_background_export(client, people, since):
    make_decision(people["workspace"], "Use PostgreSQL")
    client.force_login(people["ada"])

    client.post("/w/team/exports/start/", {"kind": "zip", "format": "nygard"})
    job = ExportJob.objects.get()
    build(job)
    response = client.post(f"/w/team/exports/{job.pk}/download/")

    assert response.status_code == 200
    [requested] = events("export_requested")
    assert_by(requested, people["ada"], since)
    [exported] = events("exported")
    assert_by(exported, people["ada"], since)
    assert exported.data == {"kind": "zip"} and exported.target_label == str(people["workspace"])


def test_it_records_no_export_of_a_download_refused(client, people):
    decision = make_decision(people["workspace"])
    outsider = make_user("olga")
    add_member(make_workspace("other"), outsider, "admin")
    client.force_login(outsider)

    assert client.post(f"/w/team/{decision.number}.md").status_code == 404
    assert not AuditEvent.objects.filter(verb="exported").exists()


def test_it_records_each_workspace_the_command_exports(people, tmp_path, since):
    make_decision(people["workspace"], "Use PostgreSQL")
    make_decision(people["workspace"], "Use Redis")
    other = make_workspace("other")
    make_decision(other, "Use Kafka")

    call_command("export_adrs", "--out", str(tmp_path), "--format", "nygard")

    exported = events("exported")
    assert {e.workspace.slug: e.data["files"] for e in exported} == {"team": 2, "other": 1}
    for event in exported:
        # Nobody signed in: the event says where it came from instead.
        assert event.actor is None and event.actor_label == ""
        assert event.data["via"] == "command line" and event.data["format"] == "nygard"
        assert event.target_label == str(event.workspace)
        assert since <= event.created_at <= timezone.now()


def test_it_records_only_the_workspace_the_command_was_given(people, tmp_path):
    make_workspace("other")

    call_command("export_adrs", "--out", str(tmp_path), "--workspace", "team")

    [event] = events("exported")
    assert event.workspace == people["workspace"] and event.data["files"] == 0


def test_it_shows_the_command_line_export_on_the_audit_page(client, people, tmp_path):
    make_decision(people["workspace"], "Use PostgreSQL")
    call_command("export_adrs", "--out", str(tmp_path), "--workspace", "team")
    client.force_login(people["adam"])

    page = client.get("/w/team/audit/?verb=exported").content.decode()

    assert "via: command line" in page and "files: 1" in page
