"""A workspace backup carries every model that holds a team's data, and its rows come back."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections import deque
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activity.models import AuditEvent
from apps.authoring.models import Kit, KitChoice, Prompt
from apps.backups.archive import (
    CARRIED,
    LEFT_OUT,
    ArchiveError,
    dump_workspace,
    restore_workspace,
)
from apps.decisions.building import link
from apps.decisions.models import (
    Answer,
    AuthOption,
    ConfirmationItem,
    Consequence,
    Consideration,
    Criterion,
    Decision,
    FreeSection,
    Participant,
    Reference,
    Scenario,
    Score,
    SourceFile,
    Support,
    Tag,
)
from apps.reviews.models import Approval, Contribution, Thread, submit_for_review
from apps.versions.models import Version, sha256_of
from apps.workspaces import members
from apps.workspaces.models import Membership, Workspace

from ..factories import add_member, make_user
from ..reviews.helpers import draft, open_round
from .test_backup import comparable, files_of, round_trip_elsewhere

# Ids of this database inside text columns: compared through what they point at.
SCENARIO_FIELD = re.compile(r"^scenario-(\d+)-")


def project_models() -> list[type[models.Model]]:
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("apps.")
        for model in config.get_models(include_auto_created=True)
    ]


def workspace_lookup(model: type[models.Model]) -> str | None:
    """The shortest lookup from a model's rows to their workspace (`round__decision__workspace`),
    along foreign keys; None for the workspace itself."""
    if model is Workspace:
        return None
    queue = deque([(model, "")])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        for field in current._meta.concrete_fields:
            target = field.related_model if field.many_to_one or field.one_to_one else None
            if target is None or target in seen:
                continue
            lookup = f"{path}__{field.name}" if path else field.name
            if target is Workspace:
                return lookup
            seen.add(target)
            queue.append((target, lookup))
    raise AssertionError(f"{model._meta.label} has no way to a workspace; it cannot be carried.")


def _value(row: models.Model, field: models.Field) -> object:
    if field.is_relation:
        # Another row by what people see of it ("ADR-0001 Choose…", a user name): its id is
        # this database's.
        target = getattr(row, field.name)
        return str(target) if target is not None else None
    value = field.value_from_object(row)
    if isinstance(row, Prompt) and field.name == "field":
        found = SCENARIO_FIELD.match(value)
        if found:
            title = Scenario.objects.get(pk=found[1]).title
            return SCENARIO_FIELD.sub(f"scenario-{title}-", value)
    if isinstance(row, AuditEvent) and field.name == "target_id" and value:
        target = apps.get_model(row.target_type)._base_manager.get(pk=value)
        # By slug: the original, renamed to make room for the restore, keeps its name.
        return target.slug if isinstance(target, Workspace) else str(target)
    if isinstance(field, models.JSONField):
        return json.dumps(value, sort_keys=True)  # an archive's JSON sorts keys
    return repr(value)


def rows_of(model: type[models.Model], workspace: Workspace) -> list[tuple]:
    """Every row of `model` in the workspace, field by field, without ids or positions:
    restoring numbers positions from 0, in the same order (the archives' records compare it)."""
    lookup = workspace_lookup(model)
    found = model._base_manager.filter(**{lookup or "pk": workspace.pk})
    if model is AuditEvent:
        found = found.exclude(verb="workspace_restored")
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and not f.is_relation) and f.name != "position"
    ]
    return sorted((tuple((f.name, _value(row, f)) for f in fields) for row in found), key=repr)


def reviewed(workspace: Workspace, ada, rita, vic, title: str) -> Decision:
    """A decision with a row of every model a backup carries: reviewed by rita and vic,
    accepted and confirmed still valid, with its Decide step, checklist, kit and prompts, and a
    related draft imported from a file."""
    decision = draft(workspace, ada, title=title)
    rest, http = decision.scenarios.order_by("position")
    Decision.objects.filter(pk=decision.pk).update(
        drivers="Low cost\nSecure callers", rationale="Usage plans for partners."
    )
    decision.tags.add(Tag.objects.get_or_create(workspace=workspace, name="api")[0])
    Participant.objects.create(decision=decision, role="decision_maker", name="Ada", user=ada)
    auth = Consideration.objects.create(decision=decision, title="Authentication", is_open=False)
    iam = AuthOption.objects.create(consideration=auth, title="IAM")
    Support.objects.create(option=iam, scenario=rest, level="supported", note="SigV4")
    Support.objects.create(option=iam, scenario=http, level="partial")
    Consequence.objects.create(decision=decision, kind="good", text="One gateway to run.")
    Reference.objects.create(decision=decision, title="AWS docs", url="https://aws.amazon.com/")
    FreeSection.objects.create(decision=decision, heading="Notes", body="Ask finance.")
    answer = Answer.objects.create(
        decision=decision, key="partners", question="Do partners need API keys?", answer="Yes"
    )
    answer.needs.add(iam)
    answer.rules_out.add(http)
    answer.favours.add(rest)
    Score.objects.create(
        criterion=Criterion.objects.create(decision=decision, title="Low cost", weight=4),
        scenario=rest,
        value=1,
    )
    Criterion.objects.create(decision=decision, title="Secure callers", option=iam)
    # A driver renamed since: its weights wait, unused, for the driver to come back.
    Score.objects.create(
        criterion=Criterion.objects.create(decision=decision, title="Cheap", weight=2),
        scenario=http,
        value=-1,
    )
    item = ConfirmationItem.objects.create(
        decision=decision,
        text="Gateway logs reviewed",
        owner=ada,
        due=timezone.localdate() + timedelta(days=30),
    )
    Prompt.objects.create(decision=decision, field="context", text="Which APIs?")
    Prompt.objects.create(decision=decision, field=f"scenario-{rest.pk}-description", text="Cost?")
    kit, _ = Kit.objects.get_or_create(slug="api-gateway", defaults={"name": "API gateway"})
    KitChoice.objects.create(decision=decision, kit=kit)
    queue = draft(workspace, ada, title=f"Pick a queue for {title}")
    link(decision, queue, "relates_to")
    SourceFile.objects.create(
        decision=queue, path=f"doc/adr/{queue.file_stem}.md", dialect="nygard", text="# 2. Q\n"
    )
    Contribution.record(decision, ada)
    submit_for_review(decision, by=ada, reviewers=[rita, vic])
    thread = Thread.start(decision, "context", rita, "Why a gateway?")
    thread.reply(ada, "Partners need keys.")
    open_round(decision).request_changes(vic, "Name the owner.")
    open_round(decision).approve(rita, review_by=timezone.localdate() + timedelta(days=90))
    open_round(decision).approve(vic)
    decision.refresh_from_db()
    assert decision.status == "accepted"
    ConfirmationItem.objects.filter(pk=item.pk).update(
        state="confirmed",
        note="Looked fine.",
        set_by=rita,
        set_by_name="Rita",
        set_at=timezone.now(),
    )
    decision.confirm_still_valid(rita, note="Still holds.")
    return decision


@pytest.fixture
def team(db):
    """A workspace with a row of every model a backup carries, and a reviewer who has left."""
    adam = make_user("adam", first_name="Adam")
    workspace = members.create_workspace(adam, "Team", "team")
    Workspace.objects.filter(pk=workspace.pk).update(review_months=6, image_hosts="img.example")
    ada, rita, vic = (make_user(n, first_name=n.title()) for n in ("ada", "rita", "vic"))
    members.add_member(workspace, ada, "author", by=adam)
    for reviewer in (rita, vic):
        members.add_member(workspace, reviewer, "reviewer", by=adam)
    Tag.objects.create(workspace=workspace, name="not used yet")
    reviewed(workspace, ada, rita, vic, "Choose an API style")
    members.remove_member(Membership.objects.get(workspace=workspace, user=vic), by=adam)
    workspace.refresh_from_db()
    return workspace


def test_it_names_every_model_carried_or_left_out_with_a_reason():
    labels = {model._meta.label_lower for model in project_models()}

    unlisted = sorted(labels - CARRIED.keys() - LEFT_OUT.keys())
    assert not unlisted, f"Carry these in backups, or list them in LEFT_OUT with why: {unlisted}"
    assert not CARRIED.keys() & LEFT_OUT.keys()
    assert not (CARRIED.keys() | LEFT_OUT.keys()) - labels, "a listed model no longer exists"
    assert all(len(reason.split()) >= 5 for reason in LEFT_OUT.values())


def test_it_brings_back_every_carried_row_as_it_was(team):
    carried = [m for m in project_models() if m._meta.label_lower in CARRIED]
    before = {m._meta.label_lower: rows_of(m, team) for m in carried}
    assert not [label for label, rows in before.items() if not rows], "the data lacks a model"
    archive = dump_workspace(team)
    # Make room for the restore under the same slug: the original stays, renamed.
    Workspace.objects.filter(pk=team.pk).update(slug="original")

    restored = restore_workspace(archive).workspace

    after = {m._meta.label_lower: rows_of(m, restored) for m in carried}
    differ = {
        label: [row for row in rows if row not in after[label]]
        for label, rows in before.items()
        if after[label] != rows
    }
    assert not differ, f"Not as they were: {sorted(differ)}; rows lost or changed: {differ}"
    assert comparable(dump_workspace(restored)) == comparable(archive)


def test_it_keeps_who_approved_what_and_the_frozen_hash(team):
    archive = dump_workspace(team)
    Workspace.objects.filter(pk=team.pk).update(slug="original")

    restored = restore_workspace(archive).workspace

    approvals = Approval.objects.filter(round__decision__workspace=restored)
    assert sorted(a.reviewer.username for a in approvals) == ["rita", "vic"]
    # vic left the workspace after approving: still who approved, with no way in.
    assert not Membership.objects.filter(workspace=restored, user__username="vic").exists()
    version = Version.objects.get(decision__workspace=restored)
    assert sha256_of(version.markdown) == version.sha256
    assert {a.version for a in approvals} == {version}
    decision = version.decision
    assert decision.review_events.get().note == "Still holds."
    assert decision.kit_choice.kit.slug == "api-gateway"
    assert decision.answers.get().key == "partners"


def test_it_restores_the_whole_record_into_an_empty_instance(team, tmp_path):
    # The kit the decision was started from is the site's: the target loads its kits first.
    source, again = round_trip_elsewhere(team, tmp_path, ["load_kits"])

    assert comparable(again) == comparable(source)
    (decision, _) = json.loads(files_of(again)["decisions.json"])
    assert [e["note"] for e in decision["review_events"]] == ["Still holds."]
    assert decision["confirmation_items"][0]["set_by"] == "rita"
    assert {a["reviewer"] for r in decision["review_rounds"] for a in r["approvals"]} == {
        "rita",
        "vic",
    }


def test_it_dumps_in_as_many_queries_whatever_the_number_of_decisions(team):
    with CaptureQueriesContext(connection) as few:
        dump_workspace(team)
    ada, rita, vic = (get_user_model().objects.get(username=n) for n in ("ada", "rita", "vic"))
    add_member(team, vic, "reviewer")
    reviewed(team, ada, rita, vic, "Choose a queue")
    reviewed(team, ada, rita, vic, "Choose a cache")

    with CaptureQueriesContext(connection) as more:
        archive = dump_workspace(team)

    assert len(json.loads(files_of(archive)["decisions.json"])) == 6
    assert len(more.captured_queries) == len(few.captured_queries)


def _as_version(archive: bytes, version: int) -> bytes:
    """The archive as an Adroit writing format `version` wrote it: version 1 had no more than
    each decision's record, reviews, threads, source and contributions."""
    files = files_of(archive)
    manifest = json.loads(files.pop("manifest.json"))
    decisions = json.loads(files["decisions.json"])
    if version == 1:
        for d in decisions:
            for key in ("answer_keys", "unused_criteria", "review_events", "confirmation_items"):
                del d[key]
            for key in ("participant_users", "prompts", "kit"):
                del d[key]
            for r in d["review_rounds"]:
                for a in r["approvals"]:
                    del a["review_by"]
        del manifest["workspace"]["review_months"], manifest["workspace"]["tags"]
    files["decisions.json"] = json.dumps(decisions).encode()
    manifest["format_version"] = version
    manifest["files"] = {n: hashlib.sha256(b).hexdigest() for n, b in files.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for name, body in files.items():
            zf.writestr(name, body)
    return buffer.getvalue()


def test_it_restores_a_version_1_archive_and_refuses_a_later_one(team):
    archive = dump_workspace(team)
    Workspace.objects.filter(pk=team.pk).update(slug="original")

    with pytest.raises(ArchiveError, match="format version 3; this Adroit reads versions 1, 2"):
        restore_workspace(_as_version(archive, 3))
    restored = restore_workspace(_as_version(archive, 1)).workspace

    decision = Decision.objects.get(workspace=restored, title="Choose an API style")
    # What version 1 carried in the record comes back; what it did not is left empty.
    assert [i.text for i in decision.confirmation_items.all()] == ["Gateway logs reviewed"]
    assert not decision.review_events.exists()
    assert restored.review_months == 12
