"""What a step of the editor shows: its forms, each with the base it is shown from, the step
bar's counts and the preview. The editor's views (views.py) and the Decide step's (deciding.py)
both render the editor's page from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models
from django.urls import reverse

from apps.decisions.completeness import anchor, gaps, required, steps_with_counts
from apps.decisions.models import (
    AuthOption,
    Consequence,
    Consideration,
    Decision,
    Reference,
    Relation,
    Scenario,
    ScenarioPoint,
    Status,
    Support,
)
from apps.decisions.rendering import page_link_for
from apps.reviews.forms import AskForm

from . import merging
from .forms import (
    DECISION_PARTS,
    CellForm,
    ConsequenceForm,
    ConsiderationForm,
    OptionForm,
    OutcomeForm,
    PeopleForm,
    PointForm,
    ReferenceForm,
    RelationForm,
    ScenarioForm,
)
from .preview import preview_html

TEMPLATE = "authoring/edit.html"


@dataclass(frozen=True)
class RowKind:
    """A kind of row edited in place: its model, form, parent and where it is shown."""

    model: type[models.Model]
    form: type[forms.ModelForm]
    parent: str  # the foreign key to the row's parent
    parent_model: type[models.Model]
    to_decision: str  # the lookup from the row to its decision
    step: str
    region: str  # the partial re-rendered after adding, removing or moving a row
    ordered: bool = True


ROWS: dict[str, RowKind] = {
    "scenario": RowKind(
        Scenario, ScenarioForm, "decision", Decision, "decision", "scenarios", "scenarios"
    ),
    "point": RowKind(
        ScenarioPoint, PointForm, "scenario", Scenario, "scenario__decision", "scenarios", "points"
    ),
    "consideration": RowKind(
        Consideration,
        ConsiderationForm,
        "decision",
        Decision,
        "decision",
        "considerations",
        "considerations",
    ),
    "option": RowKind(
        AuthOption,
        OptionForm,
        "consideration",
        Consideration,
        "consideration__decision",
        "considerations",
        "options",
    ),
    "consequence": RowKind(
        Consequence, ConsequenceForm, "decision", Decision, "decision", "outcome", "consequences"
    ),
    "reference": RowKind(
        Reference, ReferenceForm, "decision", Decision, "decision", "outcome", "references"
    ),
    "relation": RowKind(
        Relation, RelationForm, "source", Decision, "source", "outcome", "relations", False
    ),
}


@dataclass
class Editable:
    """One form on the page: where it posts, its DOM id, and, after a conflict, their text."""

    form: forms.BaseForm
    action: str
    key: str
    target: str = ""  # the region an add form re-renders
    conflict: bool = False
    theirs: dict[str, str] = field(default_factory=dict)
    # Each field's base (see merging.py); an add form has none.
    bases: dict[str, str] = field(default_factory=dict)

    def fields(self) -> list[tuple[forms.BoundField, str | None]]:
        return [(bf, self.theirs.get(bf.name)) for bf in self.form]

    def base_inputs(self) -> list[tuple[str, str]]:
        return [
            (self.form[name].html_name + merging.BASE_SUFFIX, value)
            for name, value in self.bases.items()
        ]


def editable(form: forms.BaseForm, action: str, key: str) -> Editable:
    """A form as the page shows it now, each field with the base it is shown from."""
    return Editable(form, action, key, bases=merging.shown_bases(form))


def editor_url(decision: Decision, name: str, *args: Any) -> str:
    return reverse(f"authoring:{name}", args=[decision.workspace.slug, decision.number, *args])


def step_url(decision: Decision, step: str, where: str = "") -> str:
    return editor_url(decision, "step", step) + (f"#{where}" if where else "")


def part_form(decision: Decision, part: str, scenarios: list[Scenario], data=None):
    cls = DECISION_PARTS[part]
    extra = {"scenarios": scenarios} if cls is OutcomeForm else {}
    return cls(data, instance=decision, **extra)


def row_form(kind: str, instance, decision: Decision, data=None, prefix: str = ""):
    cls = ROWS[kind].form
    extra = {"others": _others(decision)} if cls is RelationForm else {}
    return cls(data, instance=instance, prefix=prefix, **extra)


def _others(decision: Decision) -> list[Decision]:
    """The decisions a relation can point to: the rest of the workspace."""
    if not hasattr(decision, "_others"):
        decision._others = list(
            Decision.objects.filter(workspace_id=decision.workspace_id)
            .exclude(pk=decision.pk)
            .only("number", "title", "workspace_id")
            .order_by("number")
        )
    return decision._others


def editor_context(
    decision: Decision, step: str, bound: dict[str, Editable] | None = None
) -> dict[str, Any]:
    """Everything a step shows; `bound` replaces the blank forms that came back with errors."""
    bound = bound or {}
    record = decision.to_record()
    found = gaps(record)
    scenarios = list(decision.scenarios.all())
    editables: dict[str, Editable] = {}

    def part(name: str) -> Editable:
        key = f"part-{name}"
        e = bound.get(key) or editable(
            part_form(decision, name, scenarios), editor_url(decision, "save_part", name), key
        )
        editables[key] = e
        return e

    def row(kind: str, instance) -> Editable:
        key = f"{kind}-{instance.pk}"
        e = bound.get(key) or editable(
            row_form(kind, instance, decision, prefix=key),
            editor_url(decision, "save_row", kind, instance.pk),
            key,
        )
        editables[key] = e
        return e

    def adder(kind: str, parent_pk: int, target: str) -> Editable:
        key = f"{kind}-new-{parent_pk}"
        if key in bound:
            # A refused add comes back with the person's text; it still re-renders its region.
            bound[key].target = target
            return bound[key]
        instance = ROWS[kind].model(**{f"{ROWS[kind].parent}_id": parent_pk})
        return Editable(
            row_form(kind, instance, decision, prefix=key),
            editor_url(decision, "add_row", kind),
            key,
            target=target,
        )

    context: dict[str, Any] = {
        "decision": decision,
        "record": record,
        "step": step,
        "steps": steps_with_counts(found),
        "gaps": found,
        "required_gaps": required(found),
        "editable": decision.status == Status.DRAFT,
        # The page's body, its unchanged sections from the cache (preview.py).
        "preview": preview_html(
            record, page_link_for(decision.workspace.slug), decision.workspace.image_host_list
        ),
        "editables": editables,
    }
    context["prompts"] = {p.field: p.text for p in decision.prompts.all()}
    if step == "problem":
        context["problem"] = part("problem")
        key = "part-people"
        context["people"] = bound.get(key) or editable(
            PeopleForm(decision=decision), editor_url(decision, "save_part", "people"), key
        )
        editables[key] = context["people"]
    elif step == "scenarios":
        context["intro"] = part("intro")
        context["scenarios"] = [
            {
                "row": s,
                "e": row("scenario", s),
                "anchor": anchor("scenario", s.title),
                "points": [{"row": p, "e": row("point", p)} for p in s.points.all()],
                "add": adder("point", s.pk, f"#points-{s.pk}"),
            }
            for s in scenarios
        ]
        context["add_scenario"] = adder("scenario", decision.pk, "#scenarios")
    elif step == "considerations":
        context["columns"] = scenarios
        context["considerations"] = [
            {
                "row": c,
                "e": row("consideration", c),
                "anchor": anchor("consideration", c.title),
                "options": [
                    {
                        "row": o,
                        "e": row("option", o),
                        "cells": _cells(decision, c, o, scenarios, bound),
                    }
                    for o in c.options.all()
                ],
                "add": adder("option", c.pk, f"#options-{c.pk}"),
            }
            for c in decision.considerations.all()
        ]
        context["add_consideration"] = adder("consideration", decision.pk, "#considerations")
    elif step == "outcome":
        context["outcome"] = part("outcome")
        context["consequences"] = [
            {"row": c, "e": row("consequence", c)} for c in decision.consequences.all()
        ]
        context["add_consequence"] = adder("consequence", decision.pk, "#consequences")
        context["references"] = [
            {"row": r, "e": row("reference", r)} for r in decision.references.all()
        ]
        context["add_reference"] = adder("reference", decision.pk, "#references")
        context["relations"] = [
            {"row": r, "e": row("relation", r)} for r in decision.relations.all()
        ]
        context["add_relation"] = adder("relation", decision.pk, "#relations")
    elif step == "check":
        context["ask_form"] = AskForm(decision=decision)
    for key, e in bound.items():
        editables.setdefault(key, e)
    _show_prompts(context["prompts"], [*editables.values(), context.get("people")])
    return context


def _show_prompts(prompts: dict[str, str], shown: list[Editable | None]) -> None:
    """A kit's instructions are each field's placeholder: shown while the field is empty, never
    sent as its text, so completeness counts the field missing until the author writes."""
    if not prompts:
        return
    for e in shown:
        if e is None:
            continue
        for name, form_field in e.form.fields.items():
            text = prompts.get(e.form.add_prefix(name))
            if text:
                form_field.widget.attrs["placeholder"] = text


def _cells(
    decision: Decision, consideration, option, scenarios: list[Scenario], bound: dict
) -> list[dict]:
    existing = {cell.scenario_id: cell for cell in option.support.all()}
    cells = []
    for s in scenarios:
        cell = existing.get(s.pk) or Support(option=option, scenario=s)
        key = f"cell-{option.pk}-{s.pk}"
        cells.append(
            {
                "level": cell.level,
                "anchor": anchor("cell", consideration.title, option.title, s.title),
                "e": bound.get(key)
                or editable(
                    CellForm(instance=cell, prefix=key),
                    editor_url(decision, "save_cell", option.pk, s.pk),
                    key,
                ),
                "label": f"{option.title} × {s.title}",
                "scenario": s,
            }
        )
    return cells
