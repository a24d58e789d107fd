"""Four eyes: nobody approves a text they wrote or sent to review, whatever path they take.

The walk of issue 13, item 1: a reviewer named on someone else's decision moves it back to
draft, replaces its text, resubmits naming only herself with one approval needed, and approves.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client

from apps.activity.models import AuditEvent
from apps.decisions.models import Decision
from apps.imports.importing import apply, make_plan
from apps.reviews.models import (
    Contribution,
    ReviewError,
    ReviewRound,
    author_ids,
    move_by_hand,
    submit_for_review,
)
from apps.versions.models import Version, content_sha256

from ..reviews.helpers import in_review, open_round


def page(decision, tail: str = "") -> str:
    return f"/w/{decision.workspace.slug}/{decision.number}/{tail}"


def signed_in(user) -> Client:
    """A browser that sends CSRF tokens as the app's own forms do, and nothing it has not."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def post(client: Client, decision, tail: str, data: dict):
    """POST as the page's form would: the token comes from a page the person opened."""
    opened = client.get(page(decision))
    assert opened.status_code == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', opened.content)
    return client.post(page(decision, tail), {**data, "csrfmiddlewaretoken": token[1].decode()})


def revision(decision) -> int:
    return Decision.objects.get(pk=decision.pk).revision


def walk(people, rita: Client, decision, approvals: int, named: str = "rita"):
    """Rita's walk, through the real views; returns the answers to her resubmit and approval."""
    back = post(rita, decision, "status/", {"to": "draft", "seen": "in_review"})
    assert back.status_code == 302
    edited = post(
        rita,
        decision,
        "edit/part/problem/",
        {
            "revision": revision(decision),
            "title": "Choose an API style",
            "context": "Rita's text: we expose an API through her favourite gateway.",
            "overview": "",
            "drivers": "",
        },
    )
    assert edited.status_code == 302, edited.content[:500]
    resubmitted = post(
        rita,
        decision,
        "review/submit/",
        {"reviewers": [people[named].pk], "approvals_needed": approvals},
    )
    approved = post(rita, decision, "review/approve/", {})
    return resubmitted, approved


@pytest.fixture
def decision(people):
    """Ada's decision in review, Rita and Rob named, in a workspace that asks for two."""
    people["workspace"].default_approvals = 2
    people["workspace"].save()
    return in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)


def test_it_refuses_the_walk_at_the_lowered_count(people, decision):
    resubmitted, approved = walk(people, signed_in(people["rita"]), decision, approvals=1)
    assert resubmitted.status_code == 422
    assert b"at least 2 approvals" in resubmitted.content
    decision.refresh_from_db()
    assert decision.status == "draft" and not Version.objects.exists()


def test_it_refuses_the_walk_at_naming_herself(people, decision):
    """Where the workspace asks for one approval only, she cannot name herself to review."""
    people["workspace"].default_approvals = 1
    people["workspace"].save()
    ReviewRound.objects.filter(decision=decision).update(approvals_needed=1)
    resubmitted, approved = walk(people, signed_in(people["rita"]), decision, approvals=1)
    assert resubmitted.status_code == 422
    assert b"rita wrote or submitted this text, so cannot review it" in resubmitted.content
    assert approved.status_code == 422
    decision.refresh_from_db()
    assert decision.status == "draft" and not Version.objects.exists()


def test_it_refuses_the_walk_at_her_own_approval(people, decision):
    """Naming Rob instead, she approves before he does: her approval does not count."""
    people["workspace"].default_approvals = 1
    people["workspace"].save()
    ReviewRound.objects.filter(decision=decision).update(approvals_needed=1)
    rita = signed_in(people["rita"])
    resubmitted, approved = walk(people, rita, decision, approvals=1, named="rob")
    assert resubmitted.status_code == 302
    assert approved.status_code == 422
    assert b"your approval cannot count" in approved.content
    decision.refresh_from_db()
    assert decision.status == "in_review" and not Version.objects.exists()
    assert not open_round(decision).approvals.exists()


def test_it_refuses_the_walk_in_the_model(people, decision):
    rita = people["rita"]
    move_by_hand(decision, "draft", rita, seen="in_review")
    Decision.objects.filter(pk=decision.pk).update(context="Rita's text.")
    Contribution.record(decision, rita)
    with pytest.raises(ReviewError, match="cannot review it"):
        submit_for_review(decision, by=rita, reviewers=[rita], approvals_needed=2)
    submit_for_review(decision, by=rita, reviewers=[people["rob"]], approvals_needed=2)
    with pytest.raises(ReviewError, match="your approval cannot count"):
        open_round(decision).approve(rita)
    assert not Version.objects.exists()


def test_it_lets_someone_else_accept_her_text(people, decision):
    rita, rob, adam = people["rita"], people["rob"], people["adam"]
    move_by_hand(decision, "draft", rita, seen="in_review")
    Contribution.record(decision, rita)
    submit_for_review(decision, by=rita, reviewers=[rob, adam])
    open_round(decision).approve(rob)
    open_round(decision).approve(adam)
    decision.refresh_from_db()
    version = decision.versions.get()
    assert decision.status == "accepted"
    assert [a["reviewer"] for a in version.approvals] == ["rob", "adam"]
    # Her writing went into version 1: the next draft's authors start afresh.
    assert Contribution.objects.get(user=rita, kind="wrote").version == version
    assert author_ids(decision, None) == {people["ada"].pk}


def test_it_stops_counting_an_approval_once_its_reviewer_writes(people, decision):
    """Rita approves, then edits and puts the text back as it was: same hash, not her approval."""
    rita, rob = people["rita"], people["rob"]
    round = open_round(decision)
    round.approve(rita)
    sha256 = content_sha256(Decision.objects.with_record().get(pk=decision.pk))
    assert [a.reviewer for a in round.standing_approvals(sha256)] == [rita]
    Contribution.record(decision, rita)
    assert round.standing_approvals(sha256) == []
    assert [a.reviewer for a in round.authors_approvals()] == [rita]
    round.approve(rob)
    decision.refresh_from_db()
    assert decision.status == "in_review" and not Version.objects.exists()
    shown = " ".join(signed_in(rob).get(page(decision, "review/")).content.decode().split())
    assert "rita wrote or submitted part of this text, so that approval does not count" in shown
    assert "1 of 2</strong>" in shown


def test_it_records_the_editor_as_a_writer(people, decision):
    rita = people["rita"]
    post(signed_in(rita), decision, "status/", {"to": "draft", "seen": "in_review"})
    post(
        signed_in(rita),
        decision,
        "review/threads/",
        {"section": "context", "body": "A comment is not the text."},
    )
    assert not Contribution.objects.filter(user=rita).exists()
    post(
        signed_in(rita),
        decision,
        "edit/part/intro/",
        {"revision": revision(decision), "options_intro": "Two ways."},
    )
    assert list(Contribution.objects.values_list("user__username", "kind")) == [
        ("ada", "submitted"),
        ("rita", "wrote"),
    ]


def test_it_lets_a_workspace_admin_lower_the_count_and_audits_it(people, decision):
    adam = people["adam"]
    answer = post(
        signed_in(adam),
        decision,
        "review/submit/",
        {"reviewers": [people["rob"].pk], "approvals_needed": 1},
    )
    assert answer.status_code == 302
    assert open_round(decision).approvals_needed == 1
    event = AuditEvent.objects.get(verb="approvals_needed_changed")
    assert event.actor == adam
    assert event.data == {"before": 2, "after": 1, "minimum": 2}


def test_it_refuses_an_editor_lowering_the_count_of_a_new_review(people):
    people["workspace"].default_approvals = 2
    people["workspace"].save()
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    move_by_hand(decision, "draft", people["ada"], seen="in_review")
    ReviewRound.objects.filter(decision=decision).update(closed_at="2026-01-01T00:00Z")
    with pytest.raises(ReviewError, match="only a workspace admin"):
        submit_for_review(
            decision, by=people["ada"], reviewers=[people["rita"]], approvals_needed=1
        )
    decision.refresh_from_db()
    assert decision.status == "draft"


def test_it_audits_raising_the_count(people, decision):
    ReviewRound.open_for(decision, by=people["ada"], approvals_needed=3)
    assert open_round(decision).approvals_needed == 3
    event = AuditEvent.objects.get(verb="approvals_needed_changed")
    assert (event.actor, event.data["after"]) == (people["ada"], 3)


def test_it_counts_a_staff_edit_in_the_admin_as_writing(people, decision, rf):
    """The admin may change a decision in review; whoever saved it there may not approve it."""
    rita = people["rita"]
    request = rf.post("/admin/")
    request.user = rita
    admin.site._registry[Decision].log_change(request, decision, "Changed context.")
    with pytest.raises(ReviewError, match="your approval cannot count"):
        open_round(decision).approve(rita)


def test_it_counts_the_importer_among_the_authors(people):
    """A draft Rita imports, whoever sends it to review, is her text: her approval cannot count."""
    text = b"# 1. Use PostgreSQL\n\n## Status\n\nDraft\n\n## Context\n\nWe store data.\n"
    plan = make_plan([("0001-use-postgresql.md", text)], people["workspace"])
    (decision,) = apply(plan, people["workspace"], by=people["rita"])
    assert decision.status == "draft"
    assert author_ids(decision, None) == {people["rita"].pk}


def test_it_counts_a_staff_edit_in_the_admin_only_until_the_next_version(people, rf):
    """author_ids reads the admin's log since the last version, in the same query as the rest."""
    ada, rob = people["ada"], people["rob"]
    request = rf.post("/admin/")
    request.user = rob
    decision = in_review(people["workspace"], ada, [people["rita"]])
    admin.site._registry[Decision].log_change(request, decision, "Changed context.")
    assert rob.pk in author_ids(decision, None)

    open_round(decision).approve(people["rita"])  # version 1 freezes the text Rob edited

    assert rob.pk not in author_ids(decision, None)
    admin.site._registry[Decision].log_change(request, decision, "Changed context again.")
    assert rob.pk in author_ids(decision, None)
