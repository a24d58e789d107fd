"""Record -> models: how example data, kits and imports become decisions."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.formats import criteria
from apps.formats import record as rec
from apps.workspaces.models import Workspace

from .models import (
    INVERSE_KIND,
    Answer,
    AuthOption,
    ConfirmationItem,
    Consequence,
    Consideration,
    Criterion,
    Decision,
    FreeSection,
    Participant,
    ParticipantRole,
    Reference,
    Relation,
    RelationKind,
    Scenario,
    ScenarioPoint,
    Score,
    Support,
    Tag,
)

# A relation read from a file may be written from either side ("superseded by 4"); store it once,
# from the side that acts.
FORWARD_OF = {inverse: kind for kind, inverse in INVERSE_KIND.items() if inverse != kind}


@transaction.atomic
def save_record(
    workspace: Workspace, record: rec.Record, owner=None, number: int | None = None
) -> Decision:
    """Create a decision with every part of the record. Relations are linked by `link_relations`."""
    number = number or record.number or Decision.next_number(workspace)
    decision = Decision.objects.create(
        workspace=workspace,
        number=number,
        title=record.title,
        status=record.status,
        owner=owner,
        context=record.context,
        overview=record.overview,
        drivers="\n".join(record.drivers),
        options_intro=record.options_intro,
        rationale=record.rationale,
        confirmation=record.confirmation,
        decided_on=decided_on(record),
        review_by=iso_day(record.review_by),
    )
    people = [
        (ParticipantRole.DECISION_MAKER, record.decision_makers),
        (ParticipantRole.CONSULTED, record.consulted),
        (ParticipantRole.INFORMED, record.informed),
    ]
    Participant.objects.bulk_create(
        Participant(decision=decision, role=role, name=name, position=i)
        for role, names in people
        for i, name in enumerate(dict.fromkeys(names))
    )
    decision.tags.set(
        Tag.objects.get_or_create(workspace=workspace, name=name)[0] for name in record.tags
    )
    scenarios = {}
    for i, item in enumerate(record.scenarios):
        scenario = Scenario.objects.create(
            decision=decision,
            position=i,
            title=item.title,
            description=item.description,
            choose_when=item.choose_when,
        )
        scenarios[item.title] = scenario
        ScenarioPoint.objects.bulk_create(
            ScenarioPoint(scenario=scenario, kind=p.kind, text=p.text, position=j)
            for j, p in enumerate(item.points)
        )
    options: dict[str, AuthOption] = {}
    for i, item in enumerate(record.considerations):
        consideration = Consideration.objects.create(
            decision=decision, position=i, title=item.title, body=item.body, is_open=item.is_open
        )
        for j, opt in enumerate(item.options):
            option = AuthOption.objects.create(
                consideration=consideration,
                position=j,
                title=opt.title,
                description=opt.description,
            )
            options.setdefault(opt.title, option)
            Support.objects.bulk_create(
                Support(
                    option=option,
                    scenario=scenarios[cell.scenario],
                    level=cell.level,
                    note=cell.note,
                )
                for cell in opt.support
                if cell.scenario in scenarios and (cell.level != "unknown" or cell.note)
            )
    Consequence.objects.bulk_create(
        Consequence(decision=decision, kind=p.kind, text=p.text, position=i)
        for i, p in enumerate(record.consequences)
    )
    Reference.objects.bulk_create(
        Reference(decision=decision, title=r.title, url=r.url, position=i)
        for i, r in enumerate(record.references)
    )
    FreeSection.objects.bulk_create(
        FreeSection(
            decision=decision,
            heading=s.heading,
            body=s.body,
            after=s.after,
            level=s.level,
            position=i,
        )
        for i, s in enumerate(record.sections)
    )
    save_deciding(decision, record, scenarios, options)
    save_confirmation_items(decision, record.confirmation_items)
    if record.chosen in scenarios:
        decision.chosen = scenarios[record.chosen]
        decision.save(update_fields=["chosen"])
    return decision


def iso_day(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def member_named(workspace: Workspace, name: str):
    """The workspace member a file names (full name or user name), if exactly one matches."""
    name = name.strip()
    if not name:
        return None
    found = [
        m.user
        for m in workspace.memberships.select_related("user")
        if name.lower() in {m.user.username.lower(), m.user.get_full_name().lower()}
    ]
    return found[0] if len(found) == 1 else None


def save_confirmation_items(decision: Decision, items: list[rec.ConfirmationEntry]) -> None:
    """The confirmation checklist; owners and who set a state are linked to the members the
    file names, and kept as written when none matches."""
    rows = []
    for i, item in enumerate(items):
        at = iso_day(item.at)
        state = item.state if item.state in rec.CONFIRMATION_STATES else "pending"
        rows.append(
            ConfirmationItem(
                decision=decision,
                position=i,
                text=item.text[:500],
                owner=member_named(decision.workspace, item.owner),
                owner_name=item.owner[:200],
                due=iso_day(item.due),
                state=state,
                note=item.note[:1000],
                set_by=member_named(decision.workspace, item.by),
                set_by_name=item.by[:200],
                set_at=datetime.datetime.combine(at, datetime.time(12), datetime.UTC)
                if at
                else None,
            )
        )
    ConfirmationItem.objects.bulk_create(rows)


def save_deciding(
    decision: Decision,
    record: rec.Record,
    scenarios: dict[str, Scenario],
    options: dict[str, AuthOption],
) -> None:
    """The answers and weighted criteria. Scenarios not in the record are dropped (a file may
    name what it does not describe); options are kept by title when the record has none of that
    title, as a MADR file's considerations come back as free text."""
    # A file may repeat a question or a driver, or run past a column's length: keep the first.
    answers = {item.question[:300]: item for item in reversed(record.answers)}
    for i, (question, item) in enumerate(reversed(answers.items())):
        answer = Answer.objects.create(
            decision=decision,
            position=i,
            question=question,
            answer=item.answer[:200],
            note=item.note[:500],
        )
        answer.needs.set(options[t] for t in item.needs if t in options)
        unlinked = [t[:200] for t in item.needs if t not in options]
        if unlinked:
            Answer.objects.filter(pk=answer.pk).update(unlinked_needs=unlinked)
        answer.rules_out.set(scenarios[t] for t in item.rules_out if t in scenarios)
        answer.favours.set(scenarios[t] for t in item.favours if t in scenarios)
    weighed = {item.title[:500]: item for item in reversed(record.criteria)}
    for i, (title, item) in enumerate(reversed(weighed.items())):
        criterion = Criterion.objects.create(
            decision=decision,
            position=i,
            title=title,
            weight=criteria.clamp(item.weight, criteria.WEIGHTS),
            option=options.get(item.option) if item.option else None,
            option_name="" if item.option in options else item.option[:200],
        )
        Score.objects.bulk_create(
            Score(
                criterion=criterion,
                scenario=scenarios[s.scenario],
                value=criteria.clamp(s.score, criteria.SCORES),
            )
            for s in item.scores
            if s.scenario in scenarios and s.score
        )


def decided_on(record: rec.Record) -> datetime.date | None:
    """The record's own date (`2016-02-12`), so an imported decision keeps the day it was
    decided; a date written another way, or none, gives none rather than the day of the import."""
    try:
        return datetime.date.fromisoformat(record.date.strip()[:10]) if record.date else None
    except ValueError:
        return None


def link_relations(
    decision: Decision, relations: list[rec.RelationEntry]
) -> list[rec.RelationEntry]:
    """Store relations to decisions of the same workspace; returns those whose target is unknown."""
    unresolved = []
    for relation in relations:
        target = (
            Decision.objects.filter(
                workspace_id=decision.workspace_id, number=relation.number
            ).first()
            if relation.number is not None
            else None
        )
        if target is None or target.pk == decision.pk:
            unresolved.append(relation)
            continue
        link(decision, target, relation.kind)
    return unresolved


def link(decision: Decision, target: Decision, kind: str) -> Relation:
    """Store that `decision` has relation `kind` to `target`, whichever side the kind reads from.

    "3 superseded by 4" is stored as "4 supersedes 3", so each link exists once.
    """
    if kind in FORWARD_OF:
        decision, target, kind = target, decision, FORWARD_OF[kind]
    relation, _ = Relation.objects.get_or_create(
        source=decision, target=target, kind=RelationKind(kind)
    )
    return relation


def ensure_user(username: str, password: str, **names: str):
    user, created = get_user_model().objects.get_or_create(username=username, defaults=names)
    if created:
        user.set_password(password)
        user.save()
    return user
