"""A workspace as one portable archive, and back.

The archive is a zip a person can read without Adroit: the Markdown of every frozen version,
byte for byte, the current record of every decision as MADR, and JSON of what Markdown cannot
hold (status history, reviews, comments, the audit log, who is a member). Nothing in it is a
database id, so it restores into any empty instance, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.utils.dateparse import parse_date, parse_datetime

from apps.activity.events import record_event
from apps.activity.models import AuditEvent
from apps.authoring.models import Kit, KitChoice, Prompt
from apps.decisions.building import save_record
from apps.decisions.models import (
    Answer,
    ConfirmationItem,
    Criterion,
    Decision,
    Participant,
    Relation,
    ReviewEvent,
    Score,
    SourceFile,
    Status,
    StatusChange,
    Tag,
)
from apps.formats.record import Record
from apps.formats.writers import write_madr
from apps.reviews.models import (
    Approval,
    ChangeRequest,
    Comment,
    Contribution,
    ReviewRound,
    Thread,
)
from apps.search.index import index_decisions
from apps.versions.models import Version, sha256_of
from apps.workspaces.models import Membership, Workspace

FORMAT = "adroit-workspace-backup"
# 2 adds what version 1 left out (see CARRIED); an Adroit that reads only 1 refuses a 2 rather
# than restore it without them. Version 1 archives still restore: what they lack stays empty.
FORMAT_VERSION = 2
READS = (1, 2)
MANIFEST = "manifest.json"
DECISION_TYPE = Decision._meta.label_lower
WORKSPACE_TYPE = Workspace._meta.label_lower
USER_TYPE = settings.AUTH_USER_MODEL.lower()
# An archive is read whole into memory; refuse anything that could not be one of ours.
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024

# Every model of Adroit's apps, and what a workspace backup does with its rows: carried (and
# where in the archive), or left out (and why nothing is lost). tests/backups/test_coverage.py
# fails for a model in neither list, and for a carried model whose rows do not come back, so a
# new model is a decision someone takes, not a gap found after a restore.
RECORD = "decisions.json (each decision's record)"
CARRIED: dict[str, str] = {
    "workspaces.workspace": "manifest.json",
    "workspaces.membership": "people.json",
    "decisions.tag": "manifest.json (the workspace's tags) and each decision's record",
    "decisions.decision": RECORD,
    "decisions.decision_tags": RECORD,
    "decisions.participant": RECORD,
    "decisions.scenario": RECORD,
    "decisions.scenariopoint": RECORD,
    "decisions.consequence": RECORD,
    "decisions.consideration": RECORD,
    "decisions.authoption": RECORD,
    "decisions.support": RECORD,
    "decisions.reference": RECORD,
    "decisions.freesection": RECORD,
    "decisions.answer": RECORD + " and answer_keys",
    "decisions.answer_needs": RECORD,
    "decisions.answer_rules_out": RECORD,
    "decisions.answer_favours": RECORD,
    "decisions.criterion": RECORD + " and unused_criteria",
    "decisions.score": RECORD + " and unused_criteria",
    "decisions.relation": "decisions.json (relations)",
    "decisions.statuschange": "decisions.json (status_changes)",
    "decisions.confirmationitem": "decisions.json (confirmation_items)",
    "decisions.reviewevent": "decisions.json (review_events)",
    "decisions.sourcefile": "decisions.json (source)",
    "versions.version": "versions/*.md and decisions.json (versions)",
    "reviews.reviewround": "decisions.json (review_rounds)",
    "reviews.reviewround_reviewers": "decisions.json (review_rounds)",
    "reviews.approval": "decisions.json (review_rounds)",
    "reviews.changerequest": "decisions.json (review_rounds)",
    "reviews.thread": "decisions.json (threads)",
    "reviews.comment": "decisions.json (threads)",
    "reviews.contribution": "decisions.json (contributions)",
    "authoring.prompt": "decisions.json (prompts)",
    "authoring.kitchoice": "decisions.json (kit, by the kit's slug)",
    "activity.auditevent": "audit.json",
}
LEFT_OUT: dict[str, str] = {
    "authoring.kit": "Site-wide, not a workspace's: kits load from fixtures/kits (load_kits). "
    "A decision's kit is carried by its slug.",
    "authoring.removal": "Undo of a row removed in the editor, for an hour (UNDO_FOR): it puts "
    "rows back under this database's ids, which another instance does not have.",
    "search.searchdocument": "Built again from the restored record as the restore ends.",
    "search.textindex": "SQLite's FTS5 table, kept by triggers from the search documents.",
    "activity.notification": "A person's inbox across workspaces, not the team's record; what "
    "it told of is in the audit log.",
    "upkeep.digest": "Which reminder digest a person got on which day, so a day's goes once; "
    "the restored workspace's people get their next one when it is due.",
    "exports.exportjob": "A download being made; it expires, and the record makes it again.",
    "imports.pendingimport": "An upload waiting minutes for its author's confirmation; nothing "
    "of it is in the workspace until then.",
    "api.apitoken": "A person's secret for the API: an archive is readable by whoever holds "
    "the file, so tokens are made again on the target.",
    "accounts.invitation": "A link mailed from this instance; accepted ones are memberships "
    "(people.json) and the audit log. Open ones are sent again from the target.",
    "accounts.loginfailure": "Sign-in throttling of the last minutes, by address.",
    "accounts.provideridentity": "A person's account at this site's identity provider; the "
    "target's provider links people again as they sign in there.",
    "accounts.grouprole": "Which group of this site's identity provider gives which role; the "
    "groups are that provider's, so the target's admins map their own.",
    "accounts.grantedmembership": "Marks a membership as made by a group mapping (not carried): "
    "the membership is carried, and kept from then on as one added by hand.",
    "publishing.repository": "Holds a secret encrypted with this instance's key; the link is "
    "made again on the target (backups sits beside publishing and may not import it).",
    "publishing.syncedfile": "The link's sync state: a new link compares file by file, and a "
    "file that differs becomes a draft with both texts, so nothing is lost.",
    "publishing.syncevent": "The link's log. What a sync did to a decision is in its status "
    "history, its free sections (both texts of a conflict) and the audit log; the list of "
    "files deleted in git is not, and is lost with the link.",
    "publishing.sitepage": "The static site's pages as the last build rendered them, a cache "
    "by content key; the next build renders them again.",
    "publishing.storedbody": "Decision bodies as rendered for the site, keyed by revision and "
    "rendering code: derived from the records, rendered again where missing.",
}


class ArchiveError(ValueError):
    """The archive cannot be restored; nothing was written."""


class _People:
    """User names as the archive writes them, remembering each person named, so people.json
    holds everyone the archive names: a reviewer who has left still approved what they did."""

    def __init__(self) -> None:
        self.named: dict[str, Any] = {}

    def __call__(self, user) -> str | None:
        if user is None:
            return None
        self.named[user.get_username()] = user
        return user.get_username()


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


# --- dump ----------------------------------------------------------------------------------------


def _decisions(workspace: Workspace) -> list[Decision]:
    return list(
        Decision.objects.filter(workspace=workspace)
        .with_record()
        .prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("by")),
            Prefetch("versions", queryset=Version.objects.order_by("number")),
            Prefetch(
                "review_rounds",
                queryset=ReviewRound.objects.select_related("opened_by").prefetch_related(
                    "reviewers",
                    Prefetch("approvals", queryset=Approval.objects.select_related("reviewer")),
                    Prefetch(
                        "change_requests",
                        queryset=ChangeRequest.objects.select_related("reviewer"),
                    ),
                ),
            ),
            Prefetch("threads", queryset=Thread.objects.for_panel()),
            Prefetch("contributions", queryset=Contribution.objects.select_related("user")),
            Prefetch("review_events", queryset=ReviewEvent.objects.select_related("by")),
            # Beside the record's own read of them: the record names people as text, the
            # backup by user name, and keeps who set a state and when to the second.
            Prefetch(
                "confirmation_items",
                queryset=ConfirmationItem.objects.select_related("owner", "set_by"),
                to_attr="backup_items",
            ),
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("user"),
                to_attr="backup_participants",
            ),
            "prompts",
        )
        .select_related("source", "kit_choice__kit")
        .order_by("number")
    )


def _source_data(decision: Decision) -> dict | None:
    # Without it a restored workspace would export its imported files rewritten, not as they came.
    source = getattr(decision, "source", None)
    if source is None:
        return None
    return {
        "path": source.path,
        "dialect": source.dialect,
        "text": source.text,
        "status_text": source.status_text,
        "imported_at": _when(source.imported_at),
        "record": source.record,
    }


def _deciding_data(decision: Decision, record: Record) -> dict:
    """What the Decide step holds beyond the record: the kit question each answer answers
    (without it the step would ask again, and a second answer to one question is refused), and
    the weights of drivers no longer listed, which come back if the driver does."""
    titles = {s.pk: s.title for s in decision.scenarios.all()}
    listed = {c.title for c in record.criteria}
    return {
        "answer_keys": {a.question: a.key for a in decision.answers.all() if a.key},
        "unused_criteria": [
            {
                "title": c.title,
                "weight": c.weight,
                "position": c.position,
                "option": c.option.title if c.option_id else "",
                "option_name": c.option_name,
                "scores": {titles[s.scenario_id]: s.value for s in c.scores.all()},
            }
            for c in decision.criteria.all()
            if c.title not in listed
        ],
    }


def _prompt_data(decision: Decision) -> list[dict]:
    # A scenario's prompt is keyed by the scenario's id here; by its title in the archive.
    titles = {s.pk: s.title for s in decision.scenarios.all()}
    found = []
    for p in sorted(decision.prompts.all(), key=lambda p: p.field):
        scenario, _, field = p.field.removeprefix("scenario-").partition("-")
        if p.field.startswith("scenario-") and scenario.isdigit() and int(scenario) in titles:
            found.append({"scenario": titles[int(scenario)], "field": field, "text": p.text})
        else:
            found.append({"scenario": None, "field": p.field, "text": p.text})
    return found


def _decision_data(
    decision: Decision, version_numbers: dict[int, tuple[int, int]], _name: _People
) -> dict:
    rounds = list(decision.review_rounds.all())
    round_index = {r.pk: i for i, r in enumerate(rounds)}
    record = decision.to_record()
    kit_choice = getattr(decision, "kit_choice", None)
    return {
        "number": decision.number,
        "status": decision.status,
        "owner": _name(decision.owner),
        "revision": decision.revision,
        "decided_on": _when(decision.decided_on),
        "created_at": _when(decision.created_at),
        "updated_at": _when(decision.updated_at),
        "record": record.to_dict(),
        **_deciding_data(decision, record),
        # Stored from the acting side only, as the database holds them.
        "relations": [
            {"kind": r.kind, "target": r.target.number} for r in decision.relations.all()
        ],
        "status_changes": [
            {
                "from": c.from_status,
                "to": c.to_status,
                "by": _name(c.by),
                "at": _when(c.at),
                "reason": c.reason,
            }
            for c in decision.status_changes.all()
        ],
        "versions": [
            {
                "number": v.number,
                "file": f"versions/{decision.file_stem}-v{v.number}.md",
                "sha256": v.sha256,
                "snapshot": v.snapshot,
                "approvals": v.approvals,
                "accepted_by": v.accepted_by,
                "created_at": _when(v.created_at),
            }
            for v in decision.versions.all()
        ],
        "review_rounds": [
            {
                "approvals_needed": r.approvals_needed,
                "reviewers": sorted(_name(u) for u in r.reviewers.all()),
                "opened_by": _name(r.opened_by),
                "opened_at": _when(r.opened_at),
                "closed_at": _when(r.closed_at),
                "outcome": r.outcome,
                "approvals": [
                    {
                        "reviewer": _name(a.reviewer),
                        "sha256": a.sha256,
                        "at": _when(a.at),
                        "version": version_numbers.get(a.version_id, (None, None))[1],
                        "review_by": _when(a.review_by),
                    }
                    for a in r.approvals.all()
                ],
                "change_requests": [
                    {
                        "reviewer": _name(c.reviewer),
                        "note": c.note,
                        "sha256": c.sha256,
                        "at": _when(c.at),
                        "resolved_at": _when(c.resolved_at),
                    }
                    for c in r.change_requests.all()
                ],
            }
            for r in rounds
        ],
        "threads": [
            {
                "section": t.section,
                "round": round_index.get(t.round_id),
                "opened_by": _name(t.opened_by),
                "opened_at": _when(t.opened_at),
                "resolved_at": _when(t.resolved_at),
                "resolved_by": _name(t.resolved_by),
                "comments": [
                    {"author": _name(c.author), "body": c.body, "at": _when(c.at)}
                    for c in t.comments.all()
                ],
            }
            for t in decision.threads.all()
        ],
        "source": _source_data(decision),
        # Who wrote the text under review: without them a restore would let its authors approve.
        "contributions": [
            {
                "user": _name(c.user),
                "kind": c.kind,
                "at": _when(c.at),
                "version": version_numbers.get(c.version_id, (None, None))[1],
            }
            for c in decision.contributions.all()
        ],
        # "Still valid" checks of the accepted decision: who looked again, and what they said.
        "review_events": [
            {
                "by": _name(e.by),
                "by_name": e.by_name,
                "at": _when(e.at),
                "note": e.note,
                "review_by_before": _when(e.review_by_before),
                "review_by_after": _when(e.review_by_after),
            }
            for e in decision.review_events.all()
        ],
        "confirmation_items": [
            {
                "position": i.position,
                "text": i.text,
                "owner": _name(i.owner),
                "owner_name": i.owner_name,
                "due": _when(i.due),
                "state": i.state,
                "note": i.note,
                "set_by": _name(i.set_by),
                "set_by_name": i.set_by_name,
                "set_at": _when(i.set_at),
            }
            for i in decision.backup_items
        ],
        # The record lists people by name; a name linked to a member links them again.
        "participant_users": [
            {"role": p.role, "name": p.name, "user": _name(p.user)}
            for p in decision.backup_participants
            if p.user is not None
        ],
        "prompts": _prompt_data(decision),
        "kit": kit_choice.kit.slug if kit_choice is not None else None,
    }


def _audit(workspace: Workspace, numbers: dict[int, int], name: _People) -> list[dict]:
    events = list(
        AuditEvent.objects.filter(workspace=workspace)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    people = get_user_model().objects.in_bulk(
        {int(e.target_id) for e in events if e.target_type == USER_TYPE and e.target_id.isdigit()}
    )
    # Ids mean nothing in another instance: a decision is named by its number, the workspace
    # is the restored one, a person is named by user name.
    re_pointed = {DECISION_TYPE, WORKSPACE_TYPE, USER_TYPE}
    return [
        {
            "actor": e.actor_label,
            # The label reads "Ada Lovelace (ada)": the account is found by its user name.
            "actor_username": name(e.actor),
            "verb": e.verb,
            "target_type": e.target_type,
            "target_id": "" if e.target_type in re_pointed else e.target_id,
            "target_user": name(people.get(int(e.target_id)))
            if e.target_type == USER_TYPE and e.target_id.isdigit()
            else None,
            "target_label": e.target_label,
            "decision": numbers.get(e.decision_id),
            "data": e.data,
            "created_at": _when(e.created_at),
        }
        for e in events
    ]


def dump_workspace(workspace: Workspace) -> bytes:
    """The whole workspace as a zip archive (see the module's docstring)."""
    decisions = _decisions(workspace)
    numbers = {d.pk: d.number for d in decisions}
    version_numbers = {v.pk: (d.number, v.number) for d in decisions for v in d.versions.all()}
    memberships = workspace.memberships.select_related("user").order_by("user__username")
    name = _People()
    files: dict[str, bytes] = {}
    data = []
    for decision in decisions:
        item = _decision_data(decision, version_numbers, name)
        data.append(item)
        files[f"decisions/{decision.file_stem}.md"] = write_madr(decision.to_record()).encode()
        for version, stored in zip(decision.versions.all(), item["versions"], strict=True):
            files[stored["file"]] = version.markdown.encode()
    files["decisions.json"] = _json(data)
    files["audit.json"] = _json(_audit(workspace, numbers, name))
    files["people.json"] = _json(
        {
            "users": [
                {
                    "username": u.get_username(),
                    "email": u.email,
                    "first_name": u.first_name,
                    "last_name": u.last_name,
                }
                for u in sorted(
                    {*(m.user for m in memberships), *name.named.values()},
                    key=lambda u: u.get_username(),
                )
            ],
            "memberships": [{"user": name(m.user), "role": m.role} for m in memberships],
        }
    )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "workspace": {
            "slug": workspace.slug,
            "name": workspace.name,
            "description": workspace.description,
            "default_approvals": workspace.default_approvals,
            "review_months": workspace.review_months,
            "image_hosts": workspace.image_hosts,
            "created_at": _when(workspace.created_at),
            # Tags no decision carries yet are still the team's vocabulary for filtering.
            "tags": list(workspace.tags.order_by("name").values_list("name", flat=True)),
        },
        "counts": {
            "decisions": len(data),
            "versions": sum(len(d["versions"]) for d in data),
            "audit_events": len(json.loads(files["audit.json"])),
        },
        "files": {name: hashlib.sha256(body).hexdigest() for name, body in sorted(files.items())},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _json(manifest))
        for name, body in sorted(files.items()):
            archive.writestr(name, body)
    return buffer.getvalue()


# --- restore -------------------------------------------------------------------------------------


@dataclass
class Restored:
    workspace: Workspace
    decisions: int
    versions: int
    audit_events: int
    new_users: list[str]


def _read(data: bytes) -> tuple[dict, dict[str, bytes]]:
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ArchiveError("The archive is larger than any workspace backup Adroit writes.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read(MANIFEST))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ArchiveError(f"Not an Adroit workspace backup ({error}).") from error
    if manifest.get("format") != FORMAT:
        raise ArchiveError("Not an Adroit workspace backup: its manifest names another format.")
    if manifest.get("format_version") not in READS:
        raise ArchiveError(
            f"This backup has format version {manifest.get('format_version')}; "
            f"this Adroit reads versions {', '.join(map(str, READS))}."
        )
    files = {}
    for name, expected in manifest.get("files", {}).items():
        info = archive.getinfo(name) if name in archive.namelist() else None
        if info is None:
            raise ArchiveError(f"{name}: listed in the manifest but missing from the archive.")
        if info.file_size > MAX_ARCHIVE_BYTES:
            raise ArchiveError(f"{name}: larger than any file Adroit writes.")
        body = archive.read(name)
        if hashlib.sha256(body).hexdigest() != expected:
            raise ArchiveError(f"{name}: its SHA-256 does not match the manifest (damaged?).")
        files[name] = body
    return manifest, files


def _dt(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _day(value: str | None) -> date | None:
    return parse_date(value) if value else None


def _users(people: dict) -> tuple[dict[str, Any], list[str]]:
    User = get_user_model()
    users, new = {}, []
    for person in people["users"]:
        user, created = User.objects.get_or_create(
            username=person["username"],
            defaults={k: person.get(k, "") for k in ("email", "first_name", "last_name")},
        )
        if created:
            # Passwords are not in backups: new people sign in after a password reset.
            user.set_unusable_password()
            user.save(update_fields=["password"])
            new.append(user.username)
        users[user.username] = user
    return users, new


def _restore_decision(workspace, item, files, users) -> tuple[Decision, dict[int, Version]]:
    user = users.get
    decision = save_record(
        workspace,
        Record.from_dict(item["record"]),
        owner=user(item["owner"]),
        number=item["number"],
    )
    # The record says "accepted" for a decision accepted elsewhere, as its source file did.
    elsewhere = item["status"] == Status.ELSEWHERE and decision.status == Status.ACCEPTED
    if decision.status != item["status"] and not elsewhere:
        raise ArchiveError(f"ADR-{item['number']:04d}: its status does not match its record.")
    StatusChange.objects.bulk_create(
        StatusChange(
            decision=decision,
            from_status=c["from"],
            to_status=c["to"],
            by=user(c["by"]),
            at=_dt(c["at"]),
            reason=c["reason"],
        )
        for c in item["status_changes"]
    )
    versions = {}
    for v in item["versions"]:
        markdown = files[v["file"]].decode()
        if sha256_of(markdown) != v["sha256"]:
            raise ArchiveError(f"{v['file']}: its Markdown does not give its recorded hash.")
        versions[v["number"]] = Version.objects.create(
            decision=decision,
            number=v["number"],
            snapshot=v["snapshot"],
            markdown=markdown,
            sha256=v["sha256"],
            approvals=v["approvals"],
            accepted_by=v["accepted_by"],
            created_at=_dt(v["created_at"]),
        )
    rounds = []
    for r in item["review_rounds"]:
        round = ReviewRound.objects.create(
            decision=decision,
            approvals_needed=r["approvals_needed"],
            opened_by=user(r["opened_by"]),
            opened_at=_dt(r["opened_at"]),
            closed_at=_dt(r["closed_at"]),
            outcome=r["outcome"],
        )
        round.reviewers.set(users[name] for name in r["reviewers"])
        Approval.objects.bulk_create(
            Approval(
                round=round,
                reviewer=users[a["reviewer"]],
                sha256=a["sha256"],
                at=_dt(a["at"]),
                version=versions.get(a["version"]),
                review_by=_day(a.get("review_by")),
            )
            for a in r["approvals"]
        )
        ChangeRequest.objects.bulk_create(
            ChangeRequest(
                round=round,
                reviewer=users[c["reviewer"]],
                note=c["note"],
                sha256=c["sha256"],
                at=_dt(c["at"]),
                resolved_at=_dt(c["resolved_at"]),
            )
            for c in r["change_requests"]
        )
        rounds.append(round)
    for t in item["threads"]:
        thread = Thread.objects.create(
            decision=decision,
            round=rounds[t["round"]] if t["round"] is not None else None,
            section=t["section"],
            opened_by=user(t["opened_by"]),
            opened_at=_dt(t["opened_at"]),
            resolved_at=_dt(t["resolved_at"]),
            resolved_by=user(t["resolved_by"]),
        )
        Comment.objects.bulk_create(
            Comment(thread=thread, author=user(c["author"]), body=c["body"], at=_dt(c["at"]))
            for c in t["comments"]
        )
    if source := item.get("source"):
        SourceFile.objects.create(
            decision=decision,
            path=source["path"],
            dialect=source["dialect"],
            text=source["text"],
            status_text=source["status_text"],
            imported_at=_dt(source["imported_at"]),
            record=source["record"],
        )
    Contribution.objects.bulk_create(
        Contribution(
            decision=decision,
            user=users[c["user"]],
            kind=c["kind"],
            at=_dt(c["at"]),
            version=versions.get(c["version"]),
        )
        for c in item.get("contributions", [])
        if c["user"] in users  # someone who has left cannot approve here anyway
    )
    ReviewEvent.objects.bulk_create(
        ReviewEvent(
            decision=decision,
            by=user(e["by"]),
            by_name=e["by_name"],
            at=_dt(e["at"]),
            note=e["note"],
            review_by_before=_day(e["review_by_before"]),
            review_by_after=_day(e["review_by_after"]),
        )
        for e in item.get("review_events", [])
    )
    _restore_upkeep_and_deciding(decision, item, users)
    # Last, with update(): auto_now would otherwise stamp the restore's own time.
    Decision.objects.filter(pk=decision.pk).update(
        status=item["status"],
        revision=item["revision"],
        decided_on=_day(item["decided_on"]),
        created_at=_dt(item["created_at"]),
        updated_at=_dt(item["updated_at"]),
    )
    return decision, versions


def _restore_upkeep_and_deciding(decision: Decision, item: dict, users: dict) -> None:
    """What the record holds only as text, put back as it was: the people named in it and on
    its checklist, the checklist's times, the kit's question keys, unused weights, the kit's
    prompts and the kit itself."""
    if "confirmation_items" in item:
        # The record named the checklist's people by display name; the archive names them.
        ConfirmationItem.objects.filter(decision=decision).delete()
        ConfirmationItem.objects.bulk_create(
            ConfirmationItem(
                decision=decision,
                position=i["position"],
                text=i["text"],
                owner=users.get(i["owner"]),
                owner_name=i["owner_name"],
                due=_day(i["due"]),
                state=i["state"],
                note=i["note"],
                set_by=users.get(i["set_by"]),
                set_by_name=i["set_by_name"],
                set_at=_dt(i["set_at"]),
            )
            for i in item["confirmation_items"]
        )
    for p in item.get("participant_users", []):
        Participant.objects.filter(decision=decision, role=p["role"], name=p["name"]).update(
            user=users.get(p["user"])
        )
    for question, key in item.get("answer_keys", {}).items():
        Answer.objects.filter(decision=decision, question=question).update(key=key)
    scenarios = {s.title: s for s in decision.scenarios.all()}
    options = {
        o.title: o
        for c in decision.considerations.prefetch_related("options")
        for o in c.options.all()
    }
    for c in item.get("unused_criteria", []):
        option = options.get(c["option"]) if c["option"] else None
        criterion = Criterion.objects.create(
            decision=decision,
            title=c["title"],
            weight=c["weight"],
            position=c["position"],
            option=option,
            option_name=c["option_name"] if option is None else "",
        )
        Score.objects.bulk_create(
            Score(criterion=criterion, scenario=scenarios[title], value=value)
            for title, value in c["scores"].items()
            if title in scenarios
        )
    Prompt.objects.bulk_create(
        Prompt(
            decision=decision,
            field=(
                f"scenario-{scenarios[p['scenario']].pk}-{p['field']}"
                if p["scenario"] is not None
                else p["field"]
            ),
            text=p["text"],
        )
        for p in item.get("prompts", [])
        if p["scenario"] is None or p["scenario"] in scenarios
    )
    # Kits are the site's: one of that slug here gives the draft its questions again.
    if item.get("kit") and (kit := Kit.objects.filter(slug=item["kit"]).first()):
        KitChoice.objects.create(decision=decision, kit=kit)


def _target_id(event: dict, workspace: Workspace, decisions: dict, users: dict) -> str:
    """An audit event's target as this instance numbers it (see `_audit`)."""
    kind = event["target_type"]
    if kind == DECISION_TYPE:
        decision = decisions.get(event["decision"])
        return str(decision.pk) if decision else ""
    if kind == WORKSPACE_TYPE:
        return str(workspace.pk)
    if kind == USER_TYPE:
        person = users.get(event.get("target_user"))
        return str(person.pk) if person else ""
    return event["target_id"]


def restore_workspace(data: bytes, by=None) -> Restored:
    """Recreate the archived workspace in this instance, whole or not at all."""
    manifest, files = _read(data)
    spec = manifest["workspace"]
    if Workspace.objects.filter(slug=spec["slug"]).exists():
        raise ArchiveError(
            f"A workspace '{spec['slug']}' already exists here;"
            " restore into an instance without it."
        )
    try:
        decisions_data = json.loads(files["decisions.json"])
        people = json.loads(files["people.json"])
        audit = json.loads(files["audit.json"])
    except (KeyError, ValueError) as error:
        raise ArchiveError(f"The archive's JSON is incomplete or damaged ({error}).") from error
    with transaction.atomic():
        workspace = Workspace.objects.create(
            slug=spec["slug"],
            name=spec["name"],
            description=spec["description"],
            default_approvals=spec["default_approvals"],
            review_months=spec.get("review_months", 12),
            image_hosts=spec.get("image_hosts", ""),
        )
        Workspace.objects.filter(pk=workspace.pk).update(created_at=_dt(spec["created_at"]))
        Tag.objects.bulk_create(
            Tag(workspace=workspace, name=name) for name in spec.get("tags", [])
        )
        users, new_users = _users(people)
        Membership.objects.bulk_create(
            Membership(workspace=workspace, user=users[m["user"]], role=m["role"])
            for m in people["memberships"]
        )
        decisions, version_count = {}, 0
        for item in decisions_data:
            decision, versions = _restore_decision(workspace, item, files, users)
            decisions[item["number"]] = decision
            version_count += len(versions)
        Relation.objects.bulk_create(
            Relation(
                source=decisions[item["number"]], target=decisions[r["target"]], kind=r["kind"]
            )
            for item in decisions_data
            for r in item["relations"]
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                workspace=workspace,
                actor=users.get(e.get("actor_username") or e["actor"]),
                actor_label=e["actor"],
                verb=e["verb"],
                target_type=e["target_type"],
                target_id=_target_id(e, workspace, decisions, users),
                target_label=e["target_label"],
                decision=decisions.get(e["decision"]),
                data=e["data"],
                created_at=_dt(e["created_at"]),
            )
            for e in audit
        )
        # Restored decisions keep their old updated_at, which a search's check for recent
        # changes would pass over: their documents are built here, with the restore.
        index_decisions(d.pk for d in decisions.values())
        record_event(
            workspace, by, "workspace_restored", target=workspace, decisions=len(decisions)
        )
    return Restored(workspace, len(decisions), version_count, len(audit), new_users)


def dump_to(workspace: Workspace, path: Path) -> int:
    data = dump_workspace(workspace)
    # Write beside, then rename: a crash never leaves half an archive under the final name.
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
    return len(data)
