"""Guided authoring: the five steps, and every in-place edit of a draft.

Each action is a plain POST that redirects back to its step; with HTMX the same view answers with
the region it changed plus the step bar and the preview, swapped out of band. Every save carries
the decision's `revision`: a save based on an older one is refused with 409, showing the current
text beside the person's own, so nobody's work is silently overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from apps.decisions.access import get_decision_for
from apps.decisions.completeness import STEP_SLUGS, anchor, gaps, required, steps_with_counts
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
from apps.decisions.rendering import page_link_for, record_html
from apps.reviews.forms import AskForm
from apps.reviews.models import Contribution
from apps.workspaces.access import get_membership
from apps.workspaces.models import Membership

from .forms import (
    DECISION_PARTS,
    CellForm,
    ConsequenceForm,
    ConsiderationForm,
    OptionForm,
    OutcomeForm,
    PointForm,
    ReferenceForm,
    RelationForm,
    ScenarioForm,
    StartForm,
)

TEMPLATE = "authoring/edit.html"
# Which step each part of the decision's own fields is edited on.
PART_STEP = {"problem": "problem", "intro": "scenarios", "outcome": "outcome"}


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

    def fields(self) -> list[tuple[forms.BoundField, str | None]]:
        return [(bf, self.theirs.get(bf.name)) for bf in self.form]


# --- Loading and rendering -----------------------------------------------------------------


def _get(request: HttpRequest, workspace_slug: str, number: int) -> Decision:
    return get_decision_for(
        request, workspace_slug, number, need="edit", queryset=Decision.objects.with_record()
    )


def _reload(decision: Decision) -> Decision:
    fresh = Decision.objects.with_record().get(pk=decision.pk)
    fresh.workspace = decision.workspace
    return fresh


def _url(decision: Decision, name: str, *args: Any) -> str:
    return reverse(f"authoring:{name}", args=[decision.workspace.slug, decision.number, *args])


def step_url(decision: Decision, step: str, where: str = "") -> str:
    return _url(decision, "step", step) + (f"#{where}" if where else "")


def _part_form(decision: Decision, part: str, scenarios: list[Scenario], data=None):
    cls = DECISION_PARTS[part]
    extra = {"scenarios": scenarios} if cls is OutcomeForm else {}
    return cls(data, instance=decision, **extra)


def _row_form(kind: str, instance, decision: Decision, data=None, prefix: str = ""):
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
        e = bound.get(key) or Editable(
            _part_form(decision, name, scenarios), _url(decision, "save_part", name), key
        )
        editables[key] = e
        return e

    def row(kind: str, instance) -> Editable:
        key = f"{kind}-{instance.pk}"
        e = bound.get(key) or Editable(
            _row_form(kind, instance, decision, prefix=key),
            _url(decision, "save_row", kind, instance.pk),
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
            _row_form(kind, instance, decision, prefix=key),
            _url(decision, "add_row", kind),
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
        "preview": record_html(
            record, page_link_for(decision.workspace.slug), decision.workspace.image_host_list
        ),
        "editables": editables,
    }
    if step == "problem":
        context["problem"] = part("problem")
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
                    {"row": o, "e": row("option", o), "cells": _cells(decision, c, o, scenarios)}
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
    return context


def _cells(decision: Decision, consideration, option, scenarios: list[Scenario]) -> list[dict]:
    existing = {cell.scenario_id: cell for cell in option.support.all()}
    cells = []
    for s in scenarios:
        cell = existing.get(s.pk) or Support(option=option, scenario=s)
        key = f"cell-{option.pk}-{s.pk}"
        cells.append(
            {
                "level": cell.level,
                "anchor": anchor("cell", consideration.title, option.title, s.title),
                "e": Editable(
                    CellForm(instance=cell, prefix=key),
                    _url(decision, "save_cell", option.pk, s.pk),
                    key,
                ),
                "scenario": s,
            }
        )
    return cells


def _fragments(request: HttpRequest, context: dict, *names: str, status: int = 200):
    """The named partials of the page, one after the other (out-of-band ones flagged)."""
    html = "".join(render_to_string(f"{TEMPLATE}#{name}", context, request) for name in names)
    return HttpResponse(html, status=status)


def _changed(
    request: HttpRequest,
    decision: Decision,
    step: str,
    region: str = "",
    bumped: bool = True,
    also: tuple[str, ...] = (),
    **extra,
) -> HttpResponse:
    """After a successful change: redirect a plain POST; give HTMX the region, bar and preview.

    `also` names further out-of-band partials, for what the change shows outside its own form.
    """
    if not request.htmx:
        return redirect(step_url(decision, step, extra.pop("where", "")))
    extra.pop("where", None)
    decision = _reload(decision)
    context = editor_context(decision, step)
    context.update(oob=True, **_resolve(context, extra))
    names = [region] if region else []
    response = _fragments(request, context, *names, *also, "stepbar", "preview")
    # Every form carries the revision it was shown at. The script moves the forms that were at
    # `from` on to this save's revision; forms that were already older stay older, so a later
    # save from them is still caught as a conflict.
    if not bumped:
        return response
    sent = _revision(request)
    return trigger_client_event(response, "adroit:revision", {"from": sent, "value": sent + 1})


def _resolve(context: dict, extra: dict) -> dict:
    """Pick the row a region partial renders (`item`) and the form a form partial renders (`e`)."""
    resolved = {}
    if "scenario_pk" in extra:
        resolved["item"] = next(
            (i for i in context.get("scenarios", []) if i["row"].pk == extra["scenario_pk"]), None
        )
    if "consideration_pk" in extra:
        resolved["item"] = next(
            (
                i
                for i in context.get("considerations", [])
                if i["row"].pk == extra["consideration_pk"]
            ),
            None,
        )
    if "relation_pk" in extra:
        resolved["item"] = next(
            (i for i in context.get("relations", []) if i["row"].pk == extra["relation_pk"]), None
        )
    if "key" in extra:
        resolved["e"] = context["editables"].get(extra["key"])
    return resolved


def _refused(
    request: HttpRequest,
    decision: Decision,
    step: str,
    e: Editable,
    status: int,
    region: str = "",
    stale: bool = False,
    **extra,
) -> HttpResponse:
    """A form came back invalid (422) or stale (409): show it again with the person's text.

    `stale` is an add based on an older revision: nothing was added; the page (or the region,
    with the banner, bar and preview out of band) shows what is saved now, and the add form
    keeps what they typed, at the current revision so that adding it again works.
    """
    decision = _reload(decision)
    context = editor_context(decision, step, bound={e.key: e})
    context["stale_add"] = stale
    if not request.htmx:
        return render(request, TEMPLATE, context, status=status)
    context.update(_resolve(context, {"key": e.key, **extra}))
    if region:
        context["oob"] = stale
        also = ("banner", "stepbar", "preview") if stale else ()
        return _fragments(request, context, region, *also, status=status)
    # Autosaving forms swap nothing on success; their refusal replaces the form itself.
    response = _fragments(request, context, "form", status=status)
    return reswap(retarget(response, "this"), "outerHTML")


def _stale(request: HttpRequest, decision: Decision, step: str) -> HttpResponse:
    """A structural change (add, remove, move, submit) based on an older revision."""
    decision = _reload(decision)
    context = editor_context(decision, step)
    context["stale"] = True
    if not request.htmx:
        return render(request, TEMPLATE, context, status=409)
    response = _fragments(request, context, "banner", status=409)
    return reswap(retarget(response, "#banner"), "outerHTML")


def _conflict(e: Editable, current_form: forms.BaseForm) -> Editable:
    """Mark the person's form as conflicting, with the saved text wherever it differs."""
    for bf in e.form:
        mine, theirs = bf.value(), current_form[bf.name].value()
        if _text(mine) != _text(theirs):
            e.theirs[bf.name] = _shown(current_form.fields[bf.name], theirs)
    e.conflict = True
    return e


def _text(value) -> str:
    if value is None or value is False:
        return ""
    return str(value).replace("\r\n", "\n").strip()


def _shown(form_field: forms.Field, value) -> str:
    if isinstance(form_field, forms.BooleanField):
        return "yes" if value else "no"
    if getattr(form_field, "choices", None):
        return dict(form_field.choices).get(value, "") or "(none)"
    return _text(value) or "(empty)"


def _revision(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return 0


def _bump(request: HttpRequest, decision: Decision, **changes) -> bool:
    """Save the next revision if nobody saved since this request's, recording the writer:
    whoever wrote part of a text may not be the one who approves it (four eyes)."""
    with transaction.atomic():
        if not decision.bump_revision(_revision(request), **changes):
            return False
        Contribution.record(decision, request.user)
    return True


def _read_only(request: HttpRequest, decision: Decision, step: str) -> HttpResponse:
    if not request.htmx:
        return render(request, TEMPLATE, editor_context(decision, step), status=409)
    response = _fragments(request, editor_context(decision, step), "banner", status=409)
    return reswap(retarget(response, "#banner"), "outerHTML")


def _row(kind: str, pk: int, decision: Decision):
    if kind not in ROWS:
        raise Http404("No such kind of row.")
    spec = ROWS[kind]
    row = spec.model.objects.filter(pk=pk, **{spec.to_decision: decision}).first()
    if row is None:
        raise Http404("This row is gone; someone may have removed it.")
    return row


def _parent_extra(kind: str, row) -> dict:
    if kind == "point":
        return {"scenario_pk": row.scenario_id}
    if kind == "option":
        return {"consideration_pk": row.consideration_id}
    return {}


# --- Pages ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    memberships = list(Membership.objects.filter(user=request.user).select_related("workspace"))
    writable = [m for m in memberships if m.allows("edit")]
    form = StartForm(request.POST or None, memberships=writable or memberships)
    if request.method == "POST" and form.is_valid():
        membership = get_membership(request, form.cleaned_data["workspace"])
        if not membership.allows("edit"):
            raise PermissionDenied("Your role does not allow writing decisions here.")
        decision = form.cleaned_data["kit"].start(
            membership.workspace, owner=request.user, title=form.cleaned_data["title"]
        )
        decision.workspace = membership.workspace
        messages.success(request, f"{decision.ref} is a new draft. The steps walk you through it.")
        return redirect(step_url(decision, "problem"))
    status = 422 if form.is_bound else 200
    return render(
        request, "authoring/start.html", {"form": form, "can_write": bool(writable)}, status=status
    )


@login_required
@require_GET
def edit(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision = get_decision_for(request, workspace_slug, number, need="edit")
    return redirect(step_url(decision, "problem"))


@login_required
@require_GET
def step(request: HttpRequest, workspace_slug: str, number: int, step: str) -> HttpResponse:
    if step not in STEP_SLUGS:
        raise Http404("No such step.")
    decision = _get(request, workspace_slug, number)
    return render(request, TEMPLATE, editor_context(decision, step))


# --- Saving text ---------------------------------------------------------------------------


@login_required
@require_POST
def save_part(request: HttpRequest, workspace_slug: str, number: int, part: str) -> HttpResponse:
    if part not in DECISION_PARTS:
        raise Http404("No such part.")
    decision = _get(request, workspace_slug, number)
    step = PART_STEP[part]
    if decision.status != Status.DRAFT:
        return _read_only(request, decision, step)
    scenarios = list(decision.scenarios.all())
    e = Editable(
        _part_form(decision, part, scenarios, request.POST),
        _url(decision, "save_part", part),
        f"part-{part}",
    )
    if not e.form.is_valid():
        return _refused(request, decision, step, e, 422)
    if not e.form.has_changed():
        # The same text again (a blur after an autosave): nothing to save, nothing to refuse.
        return _changed(request, decision, step, "form", bumped=False, key=e.key)
    changes = {name: e.form.cleaned_data[name] for name in e.form.Meta.fields}
    if not _bump(request, decision, **changes):
        # Compare with what is saved now, not what this request loaded: in a race the other
        # save landed after we read.
        current = _part_form(Decision.objects.get(pk=decision.pk), part, scenarios)
        return _refused(request, decision, step, _conflict(e, current), 409)
    return _changed(request, decision, step, "form", key=e.key, where=f"id_{e.form.Meta.fields[0]}")


@login_required
@require_POST
def save_row(
    request: HttpRequest, workspace_slug: str, number: int, kind: str, pk: int
) -> HttpResponse:
    decision = _get(request, workspace_slug, number)
    row = _row(kind, pk, decision)
    spec = ROWS[kind]
    if decision.status != Status.DRAFT:
        return _read_only(request, decision, spec.step)
    key = f"{kind}-{pk}"
    e = Editable(
        _row_form(kind, row, decision, request.POST, prefix=key),
        _url(decision, "save_row", kind, pk),
        key,
    )
    if not e.form.is_valid():
        return _refused(request, decision, spec.step, e, 422)
    if not e.form.has_changed():
        return _changed(request, decision, spec.step, "form", bumped=False, key=key, where=key)
    with transaction.atomic():
        if not _bump(request, decision):
            current = _row_form(kind, _row(kind, pk, decision), decision, prefix=key)
            return _refused(request, decision, spec.step, _conflict(e, current), 409)
        e.form.save()
    if kind == "relation":
        # The link beside the form names the target: it follows the new one at once.
        return _changed(
            request,
            decision,
            spec.step,
            "form",
            also=("relationlink",),
            key=key,
            where=key,
            relation_pk=pk,
        )
    return _changed(request, decision, spec.step, "form", key=key, where=key)


@login_required
@require_POST
def save_cell(
    request: HttpRequest, workspace_slug: str, number: int, option: int, scenario: int
) -> HttpResponse:
    decision = _get(request, workspace_slug, number)
    option_row = _row("option", option, decision)
    scenario_row = _row("scenario", scenario, decision)
    if decision.status != Status.DRAFT:
        return _read_only(request, decision, "considerations")
    cell = Support.objects.filter(option=option_row, scenario=scenario_row).first() or Support(
        option=option_row, scenario=scenario_row
    )
    key = f"cell-{option}-{scenario}"
    e = Editable(
        CellForm(request.POST, instance=cell, prefix=key),
        _url(decision, "save_cell", option, scenario),
        key,
    )
    if not e.form.is_valid():
        return _refused(request, decision, "considerations", e, 422)
    if not e.form.has_changed():
        return _changed(request, decision, "considerations", bumped=False, where=key)
    with transaction.atomic():
        if not _bump(request, decision):
            saved = Support.objects.filter(option=option_row, scenario=scenario_row).first()
            current = CellForm(
                instance=saved or Support(option=option_row, scenario=scenario_row), prefix=key
            )
            return _refused(request, decision, "considerations", _conflict(e, current), 409)
        e.form.save()
    return _changed(request, decision, "considerations", where=key)


# --- Adding, removing and moving rows ------------------------------------------------------


@login_required
@require_POST
def add_row(request: HttpRequest, workspace_slug: str, number: int, kind: str) -> HttpResponse:
    if kind not in ROWS:
        raise Http404("No such kind of row.")
    spec = ROWS[kind]
    decision = _get(request, workspace_slug, number)
    if decision.status != Status.DRAFT:
        return _read_only(request, decision, spec.step)
    if spec.parent_model is Decision:
        parent = decision
    else:
        parent = _row(spec.parent, _parent_pk(request), decision)
    extra = _parent_extra(kind, spec.model(**{f"{spec.parent}_id": parent.pk}))
    instance = spec.model(**{spec.parent: parent})
    key = f"{kind}-new-{parent.pk}"
    e = Editable(
        _row_form(kind, instance, decision, request.POST, prefix=key),
        _url(decision, "add_row", kind),
        key,
    )
    if not e.form.is_valid():
        return _refused(request, decision, spec.step, e, 422, spec.region, **extra)
    with transaction.atomic():
        if not _bump(request, decision):
            e.conflict = True
            return _refused(request, decision, spec.step, e, 409, spec.region, stale=True, **extra)
        if spec.ordered:
            siblings = spec.model.objects.filter(**{spec.parent: parent})
            top = siblings.aggregate(top=Max("position"))["top"]
            e.form.instance.position = 0 if top is None else top + 1
        row = e.form.save()
    return _changed(request, decision, spec.step, spec.region, where=f"{kind}-{row.pk}", **extra)


def _parent_pk(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("parent", ""))
    except ValueError as error:
        raise Http404("No such parent.") from error


@login_required
@require_POST
def remove_row(
    request: HttpRequest, workspace_slug: str, number: int, kind: str, pk: int
) -> HttpResponse:
    decision = _get(request, workspace_slug, number)
    row = _row(kind, pk, decision)
    spec = ROWS[kind]
    if decision.status != Status.DRAFT:
        return _read_only(request, decision, spec.step)
    with transaction.atomic():
        if not _bump(request, decision):
            return _stale(request, decision, spec.step)
        row.delete()
    return _changed(request, decision, spec.step, spec.region, **_parent_extra(kind, row))


@login_required
@require_POST
def move_row(
    request: HttpRequest, workspace_slug: str, number: int, kind: str, pk: int
) -> HttpResponse:
    decision = _get(request, workspace_slug, number)
    row = _row(kind, pk, decision)
    spec = ROWS[kind]
    if not spec.ordered:
        raise Http404("These rows have no order.")
    if decision.status != Status.DRAFT:
        return _read_only(request, decision, spec.step)
    step_by = -1 if request.POST.get("direction") == "up" else 1
    with transaction.atomic():
        if not _bump(request, decision):
            return _stale(request, decision, spec.step)
        parent_id = getattr(row, f"{spec.parent}_id")
        siblings = list(
            spec.model.objects.filter(**{f"{spec.parent}_id": parent_id}).order_by("position", "id")
        )
        at = next(i for i, s in enumerate(siblings) if s.pk == row.pk)
        to = at + step_by
        if 0 <= to < len(siblings):
            siblings[at], siblings[to] = siblings[to], siblings[at]
        moved = [s for i, s in enumerate(siblings) if s.position != i]
        for s in moved:
            s.position = siblings.index(s)
        spec.model.objects.bulk_update(moved, ["position"])
    extra = _parent_extra(kind, row)
    return _changed(request, decision, spec.step, spec.region, where=f"{kind}-{pk}", **extra)


# --- Submitting ----------------------------------------------------------------------------


@login_required
@require_POST
def submit(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision = _get(request, workspace_slug, number)
    if decision.status != Status.DRAFT:
        return _read_only(request, decision, "check")
    form = AskForm(request.POST, decision=decision)
    with transaction.atomic():
        if not decision.bump_revision(_revision(request)):
            return _stale(request, decision, "check")
        if not form.submit(by=request.user):
            # Refused (incomplete, or no reviewers named): the draft stays as it was.
            transaction.set_rollback(True)
    if form.errors:
        context = editor_context(_reload(decision), "check")
        context["ask_form"] = form
        if request.htmx:
            # The reason replaces the button's region; the step bar catches up out of band.
            context["oob"] = True
            response = _fragments(request, context, "submit", "stepbar", status=422)
            return reswap(retarget(response, "#submit"), "outerHTML")
        return render(request, TEMPLATE, context, status=422)
    messages.success(request, f"{decision.ref} is now in review.")
    if request.htmx:
        return HttpResponseClientRedirect(decision.get_absolute_url())
    return redirect(decision.get_absolute_url())
