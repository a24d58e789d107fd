"""Guided authoring: the five steps, and every in-place edit of a draft.

Each action is a plain POST that redirects back to its step; with HTMX the same view answers with
the region it changed plus the step bar and the preview, swapped out of band. Every save carries
the decision's `revision`: a save based on an older one is refused with 409, showing the current
text beside the person's own, so nobody's work is silently overwritten.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from apps.decisions.access import get_decision_for, get_row_for
from apps.decisions.completeness import STEP_SLUGS
from apps.decisions.models import (
    Decision,
    Participant,
    Status,
    Support,
    Tag,
)
from apps.reviews.forms import AskForm
from apps.reviews.models import Contribution
from apps.workspaces.access import get_membership
from apps.workspaces.models import Membership

from . import merging
from .context import (
    ROWS,
    TEMPLATE,
    Editable,
    editor_context,
    editor_url,
    part_form,
    row_form,
    step_url,
)
from .forms import (
    DECISION_PARTS,
    ROLES,
    CellForm,
    OutcomeForm,
    PeopleForm,
    RelationForm,
    StartForm,
)
from .models import Removal
from .removal import CannotRestore, remove, restore

# Which step each part of the decision's own fields is edited on.
PART_STEP = {"problem": "problem", "people": "problem", "intro": "scenarios", "outcome": "outcome"}


# --- Loading and rendering -----------------------------------------------------------------


def _get(request: HttpRequest, workspace_slug: str, number: int) -> Decision:
    return get_decision_for(
        request, workspace_slug, number, need="edit", queryset=Decision.objects.with_record()
    )


def _reload(decision: Decision) -> Decision:
    fresh = Decision.objects.with_record().get(pk=decision.pk)
    fresh.workspace = decision.workspace
    return fresh


def _undo_target(removal: Removal) -> str:
    """The region an undo re-renders: the list the row was removed from."""
    fields = removal.snapshot.get("fields", {})
    if removal.kind == "point":
        return f"#points-{fields.get('scenario_id')}"
    if removal.kind == "option":
        return f"#options-{fields.get('consideration_id')}"
    return f"#{ROWS[removal.kind].region}"


def _fragments(request: HttpRequest, context: dict, *names: str, status: int = 200):
    """The named partials of the page, one after the other (out-of-band ones flagged)."""
    html = "".join(render_to_string(f"{TEMPLATE}#{name}", context, request) for name in names)
    return HttpResponse(html, status=status)


def _changed(
    request: HttpRequest,
    decision: Decision,
    step: str,
    region: str = "",
    before: int | None = None,
    also: tuple[str, ...] = (),
    query: str = "",
    context_extra: dict | None = None,
    **extra,
) -> HttpResponse:
    """After a structural change (add, remove, move, undo): redirect a plain POST; give HTMX the
    region, with the step bar and the preview out of band.

    `also` names further out-of-band partials, for what the change shows outside its own form.
    """
    if not request.htmx:
        url = editor_url(decision, "step", step) + query
        where = extra.pop("where", "") or ""
        return redirect(url + (f"#{where}" if where else ""))
    focus = extra.pop("focus", None) or extra.pop("where", None)
    extra.pop("where", None)
    decision = _reload(decision)
    context = editor_context(decision, step)
    context.update(oob=True, **_resolve(context, extra), **(context_extra or {}))
    names = [region] if region else []
    response = _fragments(request, context, *names, *also, "stepbar", "preview")
    events: dict[str, Any] = {}
    if focus:
        # The script puts focus back where the person was (the moved row's button).
        events["adroit:focus"] = {"id": focus}
    if before is not None and before != decision.revision:
        # Forms shown at the revision this change started from move on with it.
        events["adroit:revision"] = {"from": before, "value": decision.revision}
    if events:
        response["HX-Trigger"] = json.dumps(events)
    return response


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


# --- Saving: the parts --------------------------------------------------------------------

# How often a save is judged again when another save landed between reading and writing.
ATTEMPTS = 5


class _Busy(Exception):
    """Other saves kept landing between this one's read and write; it was not applied."""


def _saved(
    request: HttpRequest,
    decision: Decision,
    step: str,
    e: Editable,
    before: int,
    where: str = "",
    fresh=None,
    partial: str = "form",
    **context: Any,
) -> HttpResponse:
    """An autosave landed (or had nothing to do). A plain POST goes back to its step; htmx gets
    only the form's new bases, and events: the step bar and the preview listen for
    `adroit:saved` and fetch themselves once typing pauses, so a keystroke's save stays cheap.

    A conflict view being resolved ("Keep my text") is swapped for the form as it is now:
    `fresh` makes that form from what is stored.
    """
    if not request.htmx:
        return redirect(step_url(decision, step, where or e.key))
    if request.POST.get("resolving") and fresh is not None:
        form = fresh()
        shown = Editable(form, e.action, e.key, bases=merging.shown_bases(form))
        context.update(e=shown, decision=decision, step=step)
        html = render_to_string(f"{TEMPLATE}#{partial}", context, request)
    else:
        # Its own flag: a region re-rendered with other parts out of band keeps its bases.
        html = render_to_string(f"{TEMPLATE}#bases", {"e": e, "bases_oob": True}, request)
    response = HttpResponse(html)
    events: dict[str, Any] = {"adroit:saved": {"form": e.key}}
    if decision.revision != before:
        # Forms shown at the revision this save started from (submit, add, move) move on with
        # it; forms shown at an older one stay older.
        events["adroit:revision"] = {"from": before, "value": decision.revision}
    else:
        events["adroit:saved"]["unchanged"] = True
    response["HX-Trigger"] = json.dumps(events)
    return response


def _bases_for(request: HttpRequest, decision: Decision, e: Editable, current: dict) -> dict:
    """The bases the page sent; a page without them (an old tab, a script) at the current
    revision is taken to be based on what is stored now."""
    bases = merging.posted_bases(e.form, request.POST)
    if _revision(request) == decision.revision:
        for name, value in current.items():
            bases.setdefault(name, merging.token(value))
    return bases


def _in_conflict(
    request: HttpRequest,
    decision: Decision,
    step: str,
    e: Editable,
    current_form: forms.BaseForm,
    verdict: merging.Verdict,
) -> HttpResponse:
    """Same field, changed by someone else since this page loaded it: show theirs beside
    the author's text. Fields the author did not touch show what is stored."""
    data = merging.with_current(request.POST, e.form, current_form, verdict.untouched)
    form = type(e.form)(data, **_form_kwargs(e.form))
    form.is_valid()
    shown = Editable(form, e.action, e.key, bases=merging.shown_bases(current_form))
    for name in verdict.conflicts:
        shown.theirs[name] = _shown(current_form.fields[name], current_form[name].value())
    shown.conflict = True
    return _refused(request, decision, step, shown, 409)


def _form_kwargs(form: forms.BaseForm) -> dict:
    kwargs: dict[str, Any] = {"prefix": form.prefix}
    if isinstance(form, forms.ModelForm):
        kwargs["instance"] = form.instance
    if isinstance(form, OutcomeForm):
        kwargs["scenarios"] = form.scenarios
    if isinstance(form, RelationForm):
        kwargs["others"] = form.others
    if isinstance(form, PeopleForm):
        kwargs = {"decision": form.decision}
    return kwargs


def _text(value) -> str:
    if value is None or value is False:
        return ""
    return str(value).replace("\r\n", "\n").strip()


def _shown(form_field: forms.Field, value) -> str:
    if isinstance(form_field, forms.BooleanField):
        return "yes" if value else "no"
    if getattr(form_field, "choices", None):
        return (
            dict(form_field.choices).get(value, "")
            or dict(form_field.choices).get(str(value), "")
            or "(none)"
        )
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


def _next_revision(decision: Decision, **changes) -> bool:
    """Move the draft to its next revision, from the one this request read (see ATTEMPTS)."""
    now = timezone.now()
    rows = Decision.objects.filter(pk=decision.pk, revision=decision.revision, status=Status.DRAFT)
    if not rows.update(revision=F("revision") + 1, updated_at=now, **changes):
        return False
    decision.revision += 1
    decision.updated_at = now
    return True


def _fresh_decision(decision: Decision) -> Decision:
    fresh = Decision.objects.get(pk=decision.pk)
    fresh.workspace = decision.workspace
    return fresh


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
    context = editor_context(decision, step)
    context["undo"] = _undo_offer(request, decision)
    if context["undo"]:
        context["undo_target"] = _undo_target(context["undo"])
    return render(request, TEMPLATE, context)


@login_required
@require_GET
def live(request: HttpRequest, workspace_slug: str, number: int, step: str) -> HttpResponse:
    """The step bar and the preview as they are now, which the page fetches after its saves."""
    if step not in STEP_SLUGS:
        raise Http404("No such step.")
    if not request.htmx:
        decision = get_decision_for(request, workspace_slug, number, need="edit")
        return redirect(step_url(decision, step))
    decision = _get(request, workspace_slug, number)
    context = {
        **editor_context(decision, "live"),
        "step": step,
        "oob": True,
    }
    return _fragments(request, context, "stepbar", "preview")


# --- Saving text ---------------------------------------------------------------------------


@login_required
@require_POST
def save_part(request: HttpRequest, workspace_slug: str, number: int, part: str) -> HttpResponse:
    if part not in DECISION_PARTS and part != "people":
        raise Http404("No such part.")
    decision = get_decision_for(request, workspace_slug, number, need="edit")
    step = PART_STEP[part]
    key = f"part-{part}"
    if decision.status != Status.DRAFT:
        return _read_only(request, _reload(decision), step)
    if part == "people":
        return _save_people(request, decision, key)
    scenarios = list(decision.scenarios.all()) if part == "outcome" else []
    before = decision.revision
    # The form validates a copy: validating writes the sent values onto its instance, and the
    # stored ones are still needed to judge what changed.
    e = Editable(
        part_form(copy.copy(decision), part, scenarios, request.POST),
        editor_url(decision, "save_part", part),
        key,
    )
    if not e.form.is_valid():
        e.bases = merging.posted_bases(e.form, request.POST)
        return _refused(request, decision, step, e, 422)
    for _ in range(ATTEMPTS):
        current_form = part_form(decision, part, scenarios)
        current = merging.current(current_form)
        verdict = merging.judge(e.form, _bases_for(request, decision, e, current), current)
        if not verdict.changes:
            break
        lookups = merging.guard(decision, list(verdict.changes))
        if _next_revision_where(decision, lookups, verdict.changes):
            Contribution.record(decision, request.user)
            break
        decision = _fresh_decision(decision)
        if decision.status != Status.DRAFT:
            return _read_only(request, _reload(decision), step)
    else:
        raise _Busy()
    if verdict.conflicts:
        current_form = part_form(decision, part, scenarios)
        return _in_conflict(request, decision, step, e, current_form, verdict)
    e.bases = verdict.bases
    where = f"id_{next(iter(verdict.changes), e.form.Meta.fields[0])}"
    return _saved(
        request,
        decision,
        step,
        e,
        before,
        where=where,
        fresh=lambda: part_form(_fresh_decision(decision), part, scenarios),
    )


def _next_revision_where(decision: Decision, lookups: dict, changes: dict) -> bool:
    """Write `changes` and move to the next revision, only while the changed fields are as this
    request read them and nobody saved in between (else the caller reads again)."""
    now = timezone.now()
    rows = Decision.objects.filter(
        pk=decision.pk, revision=decision.revision, status=Status.DRAFT, **lookups
    )
    if not rows.update(revision=F("revision") + 1, updated_at=now, **changes):
        return False
    for name, value in changes.items():
        setattr(decision, name, value)
    decision.revision += 1
    decision.updated_at = now
    return True


def _save_people(request: HttpRequest, decision: Decision, key: str) -> HttpResponse:
    """People, owner, tags and the date: several tables, so judged under the decision's lock."""
    before = decision.revision
    with transaction.atomic():
        locked = Decision.objects.filter(pk=decision.pk).locked().get()
        locked.workspace = decision.workspace
        if locked.status != Status.DRAFT:
            transaction.set_rollback(True)
            return _read_only(request, _reload(decision), "problem")
        e = Editable(
            PeopleForm(request.POST, decision=locked),
            editor_url(decision, "save_part", "people"),
            key,
        )
        if not e.form.is_valid():
            e.bases = merging.posted_bases(e.form, request.POST)
            return _refused(request, locked, "problem", e, 422)
        current = e.form.current_values()
        verdict = merging.judge(e.form, _bases_for(request, locked, e, current), current)
        if verdict.changes:
            _apply_people(locked, e.form, verdict.changes)
            Contribution.record(locked, request.user)
    if verdict.conflicts:
        fresh = _reload(decision)
        current_form = PeopleForm(decision=fresh)
        return _in_conflict(request, fresh, "problem", e, current_form, verdict)
    e.bases = verdict.bases
    return _saved(
        request,
        locked,
        "problem",
        e,
        before,
        fresh=lambda: PeopleForm(decision=_reload(decision)),
    )


def _apply_people(decision: Decision, form: PeopleForm, changes: dict) -> None:
    own = {}
    if "owner" in changes:
        member = next((u for u in form.members if str(u.pk) == changes["owner"]), None)
        if changes["owner"] and member is None:
            raise PermissionDenied("The owner must be a member of the workspace.")
        own["owner"] = member
    if "decided_on" in changes:
        own["decided_on"] = changes["decided_on"]
    for name, role in ROLES.items():
        if name in changes:
            decision.participants.filter(role=role).delete()
            Participant.objects.bulk_create(
                Participant(
                    decision=decision, role=role, name=n, user=form.member_for(n), position=i
                )
                for i, n in enumerate(changes[name])
            )
    if "tags" in changes:
        decision.tags.set(
            Tag.objects.get_or_create(workspace_id=decision.workspace_id, name=n)[0]
            for n in changes["tags"]
        )
    now = timezone.now()
    Decision.objects.filter(pk=decision.pk).update(
        revision=F("revision") + 1, updated_at=now, **own
    )
    decision.revision += 1


@login_required
@require_POST
def save_row(
    request: HttpRequest, workspace_slug: str, number: int, kind: str, pk: int
) -> HttpResponse:
    if kind not in ROWS:
        raise Http404("No such kind of row.")
    spec = ROWS[kind]
    found = get_row_for(
        request, workspace_slug, number, spec.model.objects.filter(pk=pk), spec.to_decision
    )
    if found is None:
        # No such decision (404), or the row is gone from it (also 404, saying so).
        _row(kind, pk, get_decision_for(request, workspace_slug, number, need="edit"))
    row, decision = found
    if decision.status != Status.DRAFT:
        return _read_only(request, _reload(decision), spec.step)
    key = f"{kind}-{pk}"
    before = decision.revision
    e = Editable(
        row_form(kind, copy.copy(row), decision, request.POST, prefix=key),
        editor_url(decision, "save_row", kind, pk),
        key,
    )
    if not e.form.is_valid():
        e.bases = merging.posted_bases(e.form, request.POST)
        return _refused(request, decision, spec.step, e, 422)
    for _ in range(ATTEMPTS):
        current_form = row_form(kind, row, decision, prefix=key)
        current = merging.current(current_form)
        verdict = merging.judge(e.form, _bases_for(request, decision, e, current), current)
        if not verdict.changes:
            break
        if not _next_revision(decision):
            decision = _fresh_decision(decision)
            if decision.status != Status.DRAFT:
                return _read_only(request, _reload(decision), spec.step)
            continue
        guarded = spec.model.objects.filter(pk=pk, **merging.guard(row, list(verdict.changes)))
        try:
            # No savepoint: the view runs in autocommit, where a refused statement leaves the
            # connection usable, and an autosave stays within its query budget.
            updated = guarded.update(**_columns(row, verdict.changes))
        except IntegrityError:
            # A co-author gave another row the same title a moment ago: the database's unique
            # constraint refuses it. Say so with the person's text, rather than a server error.
            title = e.form.cleaned_data.get("title")
            field = "title" if title else None
            e.form.add_error(
                field,
                f"There is already one called “{title}”."
                if title
                else (
                    "Another row here has just been saved with the same values: change this one."
                ),
            )
            e.bases = merging.posted_bases(e.form, request.POST)
            return _refused(request, _reload(decision), spec.step, e, 409)
        if updated:
            Contribution.record(decision, request.user)
            break
        row = _row(kind, pk, decision)  # changed in between: judge again on what is stored now
    else:
        raise _Busy()
    if verdict.conflicts:
        current_form = row_form(kind, _row(kind, pk, decision), decision, prefix=key)
        return _in_conflict(request, decision, spec.step, e, current_form, verdict)
    e.bases = verdict.bases
    response = _saved(
        request,
        decision,
        spec.step,
        e,
        before,
        fresh=lambda: row_form(kind, _row(kind, pk, decision), decision, prefix=key),
    )
    if kind == "relation" and request.htmx and verdict.changes:
        # The link beside the form names the target: it follows the new one at once.
        context = editor_context(_reload(decision), spec.step)
        context.update(oob=True, **_resolve(context, {"relation_pk": pk}))
        link = render_to_string(f"{TEMPLATE}#relationlink", context, request)
        response.content = response.content + link.encode()
    return response


def _columns(row: models.Model, changes: dict) -> dict:
    """Field values as an UPDATE takes them: a related row by its id."""
    columns = {}
    for name, value in changes.items():
        model_field = row._meta.get_field(name)
        columns[model_field.attname] = getattr(value, "pk", value)
    return columns


@login_required
@require_POST
def save_cell(
    request: HttpRequest, workspace_slug: str, number: int, option: int, scenario: int
) -> HttpResponse:
    # A cell set before is read with its option, scenario and decision in one query.
    cells = Support.objects.filter(option_id=option, scenario_id=scenario).select_related(
        "scenario"
    )
    found = get_row_for(request, workspace_slug, number, cells, "option__consideration__decision")
    if found is not None:
        cell, decision = found
        option_row, scenario_row = cell.option, cell.scenario
    else:
        decision = get_decision_for(request, workspace_slug, number, need="edit")
        option_row = _row("option", option, decision)
        scenario_row = _row("scenario", scenario, decision)
        cell = Support(option=option_row, scenario=scenario_row)
    if decision.status != Status.DRAFT:
        return _read_only(request, _reload(decision), "considerations")
    key = f"cell-{option}-{scenario}"
    before = decision.revision

    def stored() -> Support:
        return Support.objects.filter(option=option_row, scenario=scenario_row).first() or Support(
            option=option_row, scenario=scenario_row
        )

    e = Editable(
        CellForm(request.POST, instance=copy.copy(cell), prefix=key),
        editor_url(decision, "save_cell", option, scenario),
        key,
    )
    if not e.form.is_valid():
        e.bases = merging.posted_bases(e.form, request.POST)
        return _refused(request, decision, "considerations", e, 422)
    for _ in range(ATTEMPTS):
        current = merging.current(CellForm(instance=cell, prefix=key))
        verdict = merging.judge(e.form, _bases_for(request, decision, e, current), current)
        if not verdict.changes:
            break
        if not _next_revision(decision):
            decision = _fresh_decision(decision)
            if decision.status != Status.DRAFT:
                return _read_only(request, _reload(decision), "considerations")
            continue
        if _write_cell(cell, verdict.changes):
            Contribution.record(decision, request.user)
            break
        cell = stored()
    else:
        raise _Busy()
    if verdict.conflicts:
        current_form = CellForm(instance=stored(), prefix=key)
        return _in_conflict(request, decision, "considerations", e, current_form, verdict)
    e.bases = verdict.bases
    return _saved(
        request,
        decision,
        "considerations",
        e,
        before,
        fresh=lambda: CellForm(instance=stored(), prefix=key),
        partial="cellform",
        cell_label=f"{option_row.title} × {scenario_row.title}",
    )


def _write_cell(cell: Support, changes: dict) -> bool:
    if cell.pk is None:
        try:
            with transaction.atomic():
                for name, value in changes.items():
                    setattr(cell, name, value)
                cell.save(force_insert=True)
            return True
        except IntegrityError:
            return False  # someone set this cell first: judge again on theirs
    guarded = Support.objects.filter(pk=cell.pk, **merging.guard(cell, list(changes)))
    return bool(guarded.update(**changes))


# --- Adding, removing and moving rows ------------------------------------------------------
# Rows are added, removed and moved whatever else changed meanwhile: a co-author's edit of
# another row or field is never in the way. Each change still moves the draft's revision on.


def _bump_draft(request: HttpRequest, decision: Decision) -> bool:
    """Move the draft to its next revision, recording the writer; False once it is no draft."""
    for _ in range(ATTEMPTS):
        if _next_revision(decision):
            Contribution.record(decision, request.user)
            return True
        fresh = _fresh_decision(decision)
        decision.revision, decision.status = fresh.revision, fresh.status
        if decision.status != Status.DRAFT:
            return False
    raise _Busy()


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
        row_form(kind, instance, decision, request.POST, prefix=key),
        editor_url(decision, "add_row", kind),
        key,
    )
    if not e.form.is_valid():
        return _refused(request, decision, spec.step, e, 422, spec.region, **extra)
    before = decision.revision
    try:
        with transaction.atomic():
            if not _bump_draft(request, decision):
                transaction.set_rollback(True)
                return _read_only(request, _reload(decision), spec.step)
            if spec.ordered:
                siblings = spec.model.objects.filter(**{spec.parent: parent})
                top = siblings.aggregate(top=Max("position"))["top"]
                e.form.instance.position = 0 if top is None else top + 1
            row = e.form.save()
    except IntegrityError:
        # Someone added one of the same name a moment ago: say so beside the person's text.
        e.form.add_error(None, "Someone else just added one like it; see the list above.")
        return _refused(request, decision, spec.step, e, 422, spec.region, **extra)
    return _changed(
        request, decision, spec.step, spec.region, before, where=f"{kind}-{row.pk}", **extra
    )


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
    """Remove a row at once, and offer to undo it (see removal.py)."""
    decision = _get(request, workspace_slug, number)
    row = _row(kind, pk, decision)
    spec = ROWS[kind]
    if decision.status != Status.DRAFT:
        return _read_only(request, decision, spec.step)
    before = decision.revision
    with transaction.atomic():
        if not _bump_draft(request, decision):
            transaction.set_rollback(True)
            return _read_only(request, _reload(decision), spec.step)
        Removal.purge()
        removal = remove(decision, row, kind, request.user)
    return _changed(
        request,
        decision,
        spec.step,
        spec.region,
        before,
        also=("undo",),
        query=f"?removed={removal.pk}",
        context_extra={"undo": removal, "undo_target": _undo_target(removal)},
        **_parent_extra(kind, row),
    )


def _undo_offer(request: HttpRequest, decision: Decision) -> Removal | None:
    """The removal a page loaded after a plain POST offers to undo (`?removed=`)."""
    try:
        pk = int(request.GET.get("removed", ""))
    except ValueError:
        return None
    removal = Removal.objects.filter(pk=pk, decision=decision).first()
    return None if removal is None or removal.expired else removal


@login_required
@require_POST
def undo_remove(request: HttpRequest, workspace_slug: str, number: int, pk: int) -> HttpResponse:
    """Bring a removed row back exactly as it was: its place, its points, options and cells."""
    decision = _get(request, workspace_slug, number)
    removal = Removal.objects.filter(pk=pk, decision=decision).first()
    if removal is None or removal.expired or removal.kind not in ROWS:
        raise Http404("This removal can no longer be undone.")
    spec = ROWS[removal.kind]
    if decision.status != Status.DRAFT:
        return _read_only(request, decision, spec.step)
    before = decision.revision
    try:
        with transaction.atomic():
            if not _bump_draft(request, decision):
                transaction.set_rollback(True)
                return _read_only(request, _reload(decision), spec.step)
            row = restore(removal, spec.model, spec.parent)
    except CannotRestore as error:
        context = editor_context(_reload(decision), spec.step)
        context["undo_error"] = str(error)
        if not request.htmx:
            return render(request, TEMPLATE, context, status=409)
        response = _fragments(request, context, "banner", status=409)
        return reswap(retarget(response, "#banner"), "outerHTML")
    return _changed(
        request,
        decision,
        spec.step,
        spec.region,
        before,
        also=("undo",),
        where=f"{removal.kind}-{row.pk}",
        **_parent_extra(removal.kind, row),
    )


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
    direction = "up" if request.POST.get("direction") == "up" else "down"
    before = decision.revision
    with transaction.atomic():
        if not _bump_draft(request, decision):
            transaction.set_rollback(True)
            return _read_only(request, _reload(decision), spec.step)
        parent_id = getattr(row, f"{spec.parent}_id")
        siblings = list(
            spec.model.objects.filter(**{f"{spec.parent}_id": parent_id}).order_by("position", "id")
        )
        at = next(i for i, s in enumerate(siblings) if s.pk == row.pk)
        to = at + (-1 if direction == "up" else 1)
        if 0 <= to < len(siblings):
            siblings[at], siblings[to] = siblings[to], siblings[at]
        moved = [s for i, s in enumerate(siblings) if s.position != i]
        for s in moved:
            s.position = siblings.index(s)
        spec.model.objects.bulk_update(moved, ["position"])
    extra = _parent_extra(kind, row)
    return _changed(
        request,
        decision,
        spec.step,
        spec.region,
        before,
        where=f"{kind}-{pk}",
        focus=f"move-{kind}-{pk}-{direction}",
        **extra,
    )


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
