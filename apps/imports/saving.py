"""Saving many imported records at once: one `bulk_create` per model, relations linked after.

`save_record` (apps/decisions/building.py) creates one decision with a few queries per part, about
twenty for a typical file; a folder of a thousand files took 2.2 times as long as python-markdown
alone on PostgreSQL. `save_records` makes the same rows for a whole import with a fixed number of
queries per batch (docs/benchmarks.md).

`save_record` stays the one definition of how a record becomes rows, and other parts keep being
added to it. A record that uses any part this module does not write itself (answers, criteria, or
anything added to `Record` since) is saved by `save_record`, so an import never loses a part;
`tests/imports/test_bulk_save.py` checks both ways give the same record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.db import transaction

from apps.decisions.building import decided_on, save_record
from apps.decisions.models import (
    AuthOption,
    Consequence,
    Consideration,
    Decision,
    FreeSection,
    Participant,
    ParticipantRole,
    Reference,
    Scenario,
    ScenarioPoint,
    Support,
    Tag,
)
from apps.decisions.signals import decisions_created_in_bulk
from apps.formats.record import Record
from apps.workspaces.models import Workspace

BATCH = 500
# The record's fields this module writes, or that `save_record` does not store either (kept in the
# source file, or linked after). A record with anything else goes through `save_record`.
WRITTEN = {
    "title",
    "number",
    "status",
    "date",
    "decision_makers",
    "consulted",
    "informed",
    "tags",
    "context",
    "overview",
    "drivers",
    "options_intro",
    "scenarios",
    "chosen",
    "rationale",
    "consequences",
    "confirmation",
    "considerations",
    "references",
    "sections",
}
NOT_STORED = {
    "workspace",
    "owner",
    "relations",
    "status_text",
    "unstated",
    "chosen_text",
    "title_number",
    "title_heading",
    "headings",
}
DEFAULTS = Record(title="")


def in_bulk(record: Record) -> bool:
    """Whether every part of `record` is one this module writes."""
    for f in dataclasses.fields(record):
        if f.name in WRITTEN or f.name in NOT_STORED:
            continue
        if getattr(record, f.name) != getattr(DEFAULTS, f.name):
            return False
    return True


@transaction.atomic
def save_records(
    workspace: Workspace, records: Iterable[tuple[Record, int]], owner=None
) -> list[Decision]:
    """Create a decision for each (record, number), in order, with every part of its record."""
    records = list(records)
    saved: list[Decision | None] = [None] * len(records)
    bulk = [(k, r, n) for k, (r, n) in enumerate(records) if in_bulk(r)]
    for start in range(0, len(bulk), BATCH):
        chunk = bulk[start : start + BATCH]
        made = insert_records([(workspace, r, n) for _, r, n in chunk], owner)
        for (k, _, _), decision in zip(chunk, made, strict=True):
            saved[k] = decision
    for k, (record, number) in enumerate(records):
        if saved[k] is None:
            saved[k] = save_record(workspace, record, owner=owner, number=number)
    return saved


def _tags(wanted: set[tuple[int, str]]) -> dict[tuple[int, str], Tag]:
    """The tags by (workspace id, name), created where missing."""

    def existing() -> dict[tuple[int, str], Tag]:
        rows = Tag.objects.filter(
            workspace_id__in={w for w, _ in wanted}, name__in={n for _, n in wanted}
        )
        return {(t.workspace_id, t.name): t for t in rows}

    found = existing()
    missing = [Tag(workspace_id=w, name=n) for w, n in sorted(wanted - found.keys())]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        found = existing()
    return found


def insert_records(items: list[tuple[Workspace, Record, int]], owner=None) -> list[Decision]:
    """Create a decision for each (workspace, record, number), with the parts `in_bulk` names,
    in a fixed number of queries whatever their number; the bench's seed inserts with it too.
    Run it in a transaction; relations are left to the caller."""
    decisions = Decision.objects.bulk_create(
        Decision(
            workspace=workspace,
            number=number,
            title=r.title,
            status=r.status,
            owner=owner,
            context=r.context,
            overview=r.overview,
            drivers="\n".join(r.drivers),
            options_intro=r.options_intro,
            rationale=r.rationale,
            confirmation=r.confirmation,
            decided_on=decided_on(r),
        )
        for workspace, r, number in items
    )
    decisions_created_in_bulk.send(Decision, decision_ids=[d.pk for d in decisions])
    pairs = list(zip(decisions, (r for _, r, _ in items), strict=True))
    roles = [
        (ParticipantRole.DECISION_MAKER, "decision_makers"),
        (ParticipantRole.CONSULTED, "consulted"),
        (ParticipantRole.INFORMED, "informed"),
    ]
    Participant.objects.bulk_create(
        Participant(decision=d, role=role, name=name, position=i)
        for d, r in pairs
        for role, attr in roles
        for i, name in enumerate(dict.fromkeys(getattr(r, attr)))
    )
    tags = _tags({(d.workspace_id, name) for d, r in pairs for name in r.tags})
    Decision.tags.through.objects.bulk_create(
        Decision.tags.through(decision_id=d.pk, tag_id=tags[(d.workspace_id, name)].pk)
        for d, r in pairs
        for name in dict.fromkeys(r.tags)
    )
    scenarios = Scenario.objects.bulk_create(
        Scenario(
            decision=d,
            position=i,
            title=s.title,
            description=s.description,
            choose_when=s.choose_when,
        )
        for d, r in pairs
        for i, s in enumerate(r.scenarios)
    )
    # Each decision's scenarios by title, as save_record keeps them (a later one of the same
    # title wins, as a dict assignment does).
    by_title: dict[int, dict[str, Scenario]] = {d.pk: {} for d in decisions}
    for row in scenarios:
        by_title[row.decision_id][row.title] = row
    ScenarioPoint.objects.bulk_create(
        ScenarioPoint(scenario=row, kind=p.kind, text=p.text, position=j)
        for row, s in zip(scenarios, (s for _, r in pairs for s in r.scenarios), strict=True)
        for j, p in enumerate(s.points)
    )
    plain = [(d, c) for d, r in pairs for c in r.considerations]
    considerations = Consideration.objects.bulk_create(
        Consideration(decision=d, position=i, title=c.title, body=c.body, is_open=c.is_open)
        for d, r in pairs
        for i, c in enumerate(r.considerations)
    )
    plain_options = [(d, o) for (d, c) in plain for o in c.options]
    options = AuthOption.objects.bulk_create(
        AuthOption(consideration=row, position=j, title=o.title, description=o.description)
        for row, (_, c) in zip(considerations, plain, strict=True)
        for j, o in enumerate(c.options)
    )
    Support.objects.bulk_create(
        Support(
            option=row,
            scenario=by_title[d.pk][cell.scenario],
            level=cell.level,
            note=cell.note,
        )
        for row, (d, o) in zip(options, plain_options, strict=True)
        for cell in o.support
        if cell.scenario in by_title[d.pk] and (cell.level != "unknown" or cell.note)
    )
    Consequence.objects.bulk_create(
        Consequence(decision=d, kind=p.kind, text=p.text, position=i)
        for d, r in pairs
        for i, p in enumerate(r.consequences)
    )
    Reference.objects.bulk_create(
        Reference(decision=d, title=ref.title, url=ref.url, position=i)
        for d, r in pairs
        for i, ref in enumerate(r.references)
    )
    FreeSection.objects.bulk_create(
        FreeSection(
            decision=d,
            heading=s.heading,
            body=s.body,
            after=s.after,
            level=s.level,
            position=i,
        )
        for d, r in pairs
        for i, s in enumerate(r.sections)
    )
    chosen = []
    for d, r in pairs:
        if r.chosen in by_title[d.pk]:
            d.chosen = by_title[d.pk][r.chosen]
            chosen.append(d)
    Decision.objects.bulk_update(chosen, ["chosen"])
    return decisions
