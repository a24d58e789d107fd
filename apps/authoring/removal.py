"""Removing a row with undo: a snapshot of the row and all that hangs on it, and putting it back.

The row is deleted at once (so exports, the preview and completeness never see it), and its
snapshot keeps every field, id and position: its points, its options and their matrix cells, its
own column of cells, and whether it was the chosen scenario. Undo re-creates the same rows with
the same ids, so links to them (#scenario-…, a review thread's anchor) work again.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction

from apps.decisions.models import AuthOption, Consideration, Decision, Scenario, Support

from .models import Removal

# The children that go with a row of each model, and come back with it.
CHILDREN: dict[type[models.Model], list[str]] = {
    Scenario: ["points", "support"],
    AuthOption: ["support"],
}


class CannotRestore(Exception):
    """The row cannot come back as it was (a row of the same title was added meanwhile)."""


def _fields(row: models.Model) -> dict[str, Any]:
    return {f.attname: f.value_from_object(row) for f in row._meta.concrete_fields}


def _snapshot(row: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {"fields": _fields(row), "children": {}}
    if isinstance(row, Consideration):
        options = row.options.prefetch_related("support")
        data["children"]["options"] = [_snapshot(o) for o in options]
    for name in CHILDREN.get(type(row), []):
        data["children"][name] = [_fields(child) for child in getattr(row, name).all()]
    return data


def remove(decision: Decision, row: models.Model, kind: str, by) -> Removal:
    """Delete `row`, keeping what undo needs. Run inside the caller's transaction."""
    snapshot = _snapshot(row)
    snapshot["chosen"] = isinstance(row, Scenario) and decision.chosen_id == row.pk
    removal = Removal.objects.create(
        decision=decision, kind=kind, label=str(row)[:300], snapshot=snapshot, by=by
    )
    row.delete()
    return removal


def restore(removal: Removal, model: type[models.Model], parent: str) -> models.Model:
    """Put the removed row back where it was, with its children; the snapshot is used up."""
    data = removal.snapshot
    try:
        with transaction.atomic():
            row = _insert(model, data, parent)
            if data.get("chosen"):
                Decision.objects.filter(pk=removal.decision_id, chosen__isnull=True).update(
                    chosen=row
                )
            removal.delete()
    except IntegrityError as error:
        raise CannotRestore(
            f"“{removal.label}” cannot come back: another row of that name was added meanwhile, "
            "or what it belonged to is gone."
        ) from error
    return row


def _insert(model: type[models.Model], data: dict[str, Any], parent: str) -> models.Model:
    fields = dict(data["fields"])
    if "position" in fields:
        # A row moved meanwhile may sit at its place: it and those after it step down one.
        siblings = model.objects.filter(**{f"{parent}_id": fields[f"{parent}_id"]})
        if siblings.filter(position=fields["position"]).exists():
            siblings.filter(position__gte=fields["position"]).update(
                position=models.F("position") + 1
            )
    row = model(**fields)
    row.save(force_insert=True)
    children = data.get("children", {})
    options = children.get("options", [])
    if options:
        # A consideration's options and their cells, two statements whatever their number.
        AuthOption.objects.bulk_create(AuthOption(**o["fields"]) for o in options)
        cells = [Support(**c) for o in options for c in o["children"].get("support", [])]
        Support.objects.bulk_create(_cells_with_both_sides(cells))
    for name in CHILDREN.get(model, []):
        related = getattr(model, name).rel.related_model
        rows = [related(**values) for values in children.get(name, [])]
        if related is Support:
            # A cell whose other side was removed meanwhile has nowhere to go.
            rows = _cells_with_both_sides(rows)
        related.objects.bulk_create(rows)
    return row


def _cells_with_both_sides(cells: list[Support]) -> list[Support]:
    options = set(
        AuthOption.objects.filter(pk__in=[c.option_id for c in cells]).values_list("pk", flat=True)
    )
    scenarios = set(
        Scenario.objects.filter(pk__in=[c.scenario_id for c in cells]).values_list("pk", flat=True)
    )
    return [c for c in cells if c.option_id in options and c.scenario_id in scenarios]
