import pytest

from apps.decisions.models import (
    Decision,
    IllegalTransition,
    IncompleteDraft,
    Relation,
    ScenarioPoint,
    StatusChange,
)
from apps.reviews.models import Approval, ReviewError, ReviewRound, Thread, submit_for_review
from apps.versions.models import Version, content_sha256

from .helpers import accepted, draft, in_review, open_round


def test_it_opens_a_review_naming_reviewers_and_approvals(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    round = open_round(decision)
    assert set(round.reviewers.values_list("username", flat=True)) == {"rita", "rob"}
    assert round.approvals_needed == 2 and round.opened_by == people["ada"]


def test_it_takes_the_workspace_default_when_no_count_is_given(people):
    people["workspace"].default_approvals = 3
    people["workspace"].save()
    decision = draft(people["workspace"], people["ada"])
    submit_for_review(decision, by=people["ada"])
    assert open_round(decision).approvals_needed == 3


def test_it_refuses_to_submit_a_draft_with_a_required_item_missing(people):
    decision = draft(people["workspace"], people["ada"])
    ScenarioPoint.objects.filter(scenario__title="HTTP API", kind="bad").delete()
    with pytest.raises(IncompleteDraft, match="1 required item is missing") as refused:
        submit_for_review(decision, by=people["ada"], reviewers=[people["rita"]])
    assert [gap.label for gap in refused.value.gaps] == ["Scenario “HTTP API” has no cons."]
    assert [gap.anchor for gap in refused.value.gaps] == ["scenario-http-api"]
    assert Decision.objects.get(pk=decision.pk).status == "draft"
    assert not StatusChange.objects.exists() and not ReviewRound.objects.exists()


def test_it_judges_the_stored_record_not_a_cached_one(people):
    decision = Decision.objects.with_record().get(pk=draft(people["workspace"], people["ada"]).pk)
    decision.to_record()  # the prefetched rows still hold the con removed below
    ScenarioPoint.objects.filter(scenario__title="REST API", kind="bad").delete()
    with pytest.raises(IncompleteDraft):
        submit_for_review(decision, by=people["ada"], reviewers=[people["rita"]])


def test_it_refuses_reviewers_who_may_not_review(people):
    decision = draft(people["workspace"], people["ada"])
    with pytest.raises(ReviewError, match="may review"):
        submit_for_review(decision, by=people["ada"], reviewers=[people["vic"]])


def test_it_accepts_with_enough_approvals_and_freezes_version_1(people):
    decision, version = accepted(people["workspace"], people["ada"], people["rita"])
    assert decision.status == "accepted"
    assert version.number == 1
    assert version.sha256 == Version.objects.get().sha256
    assert version.approvals[0]["reviewer"] == "rita"
    assert version.approvals[0]["sha256"] == version.sha256
    assert "status: accepted" in version.markdown
    assert version.snapshot["title"] == "Choose an API style"
    assert not decision.review_rounds.open().exists()


def test_it_waits_for_the_approvals_needed(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    open_round(decision).approve(people["rita"])
    decision.refresh_from_db()
    assert decision.status == "in_review" and not Version.objects.exists()
    open_round(decision).approve(people["rob"])
    decision.refresh_from_db()
    assert decision.status == "accepted"


def test_it_counts_one_approval_per_reviewer(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    open_round(decision).approve(people["rita"])
    open_round(decision).approve(people["rita"])
    decision.refresh_from_db()
    assert decision.status == "in_review"
    assert Approval.objects.count() == 1


def test_it_makes_approvals_stale_when_the_content_changes(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    round = open_round(decision)
    round.approve(people["rita"])
    Decision.objects.filter(pk=decision.pk).update(context="We expose a public API.")
    sha256 = content_sha256(Decision.objects.with_record().get(pk=decision.pk))
    assert round.standing_approvals(sha256) == []
    assert [a.reviewer for a in round.stale_approvals(sha256)] == [people["rita"]]
    round.approve(people["rob"])
    decision.refresh_from_db()
    assert decision.status == "in_review"


def test_it_keeps_approvals_when_sent_back_and_resubmitted_unchanged(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    open_round(decision).approve(people["rita"])
    decision.move_to("draft", by=people["ada"])
    submit_for_review(decision, by=people["ada"])
    open_round(decision).approve(people["rob"])
    decision.refresh_from_db()
    assert decision.status == "accepted"


def test_it_waits_while_a_change_request_is_open(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 1)
    open_round(decision).request_changes(people["rob"], "Name the **latency** budget.")
    open_round(decision).approve(people["rita"])
    decision.refresh_from_db()
    assert decision.status == "in_review"
    change = open_round(decision).change_requests.get()
    change.withdraw(people["rob"])
    decision.refresh_from_db()
    assert decision.status == "accepted"


def test_it_closes_a_reviewers_change_request_when_they_approve(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]], 1)
    open_round(decision).request_changes(people["rita"], "Add a driver.")
    open_round(decision).approve(people["rita"])
    decision.refresh_from_db()
    assert decision.status == "accepted"


def test_it_refuses_the_author_approving_their_own_decision(people):
    decision = in_review(people["workspace"], people["adam"], [people["rita"]])
    with pytest.raises(ReviewError, match="your approval cannot count"):
        open_round(decision).approve(people["adam"])


def test_it_refuses_approving_a_draft(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    round = open_round(decision)
    decision.move_to("draft", by=people["ada"])
    with pytest.raises(ReviewError, match="not in review"):
        round.approve(people["rita"])


def test_it_starts_version_2_after_reopening(people):
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])
    decision.move_to("draft", by=people["ada"])
    Decision.objects.filter(pk=decision.pk).update(context="We expose a public API.")
    submit_for_review(decision, by=people["ada"], reviewers=[people["rita"]])
    open_round(decision).approve(people["rita"])
    assert list(decision.versions.values_list("number", flat=True)) == [1, 2]


def test_it_supersedes_older_decisions_when_accepted(people):
    old, _ = accepted(people["workspace"], people["ada"], people["rita"], title="Use SOAP")
    new = draft(people["workspace"], people["ada"], title="Use REST")
    Relation.objects.create(source=new, target=old, kind="supersedes")
    submit_for_review(new, by=people["ada"], reviewers=[people["rita"]])
    open_round(new).approve(people["rita"])
    old.refresh_from_db()
    assert old.status == "superseded"
    change = old.status_changes.last()
    assert change.reason == f"Superseded by {new.ref}."
    old_record = Decision.objects.with_record().get(pk=old.pk).to_record()
    assert [(r.kind, r.number) for r in old_record.relations] == [("superseded_by", new.number)]


def test_it_threads_replies_and_resolves_and_reopens(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    thread = Thread.start(decision, "scenario:REST API", people["rita"], "Why not gRPC?")
    thread.reply(people["ada"], "Browsers.")
    assert [c.body for c in thread.comments.all()] == ["Why not gRPC?", "Browsers."]
    thread.resolve(people["ada"])
    assert not thread.is_open and thread.resolved_by == people["ada"]
    thread.reopen(people["rita"])
    assert thread.is_open


def test_it_refuses_an_empty_comment(people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    thread = Thread.start(decision, "context", people["rita"], "Fine.")
    with pytest.raises(ReviewError):
        thread.reply(people["ada"], "   ")


# --- the lifecycle refuses illegal moves everywhere ----------------------------------------


def test_it_refuses_a_status_change_by_save(people):
    decision = draft(people["workspace"], people["ada"])
    decision.status = "accepted"
    with pytest.raises(IllegalTransition, match="move_to"):
        decision.save()
    assert Decision.objects.get(pk=decision.pk).status == "draft"


def test_it_allows_saving_edits_after_a_move(people):
    decision = draft(people["workspace"], people["ada"])
    submit_for_review(decision, by=people["ada"])
    decision.title = "Choose an API style for partners"
    decision.save()
    loaded = Decision.objects.get(pk=decision.pk)
    loaded.title = "Again"
    loaded.save()
    assert loaded.status == "in_review"


def test_it_creates_decisions_in_any_status_for_imports(people):
    decision = Decision.objects.create(
        workspace=people["workspace"], number=9, title="Imported", status="accepted"
    )
    assert decision.status == "accepted" and not StatusChange.objects.exists()
