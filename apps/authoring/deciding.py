"""The Decide step: the team answers its kit's questions, weighs the drivers, scores the scenarios,
and sees which scenario the answers and the weighted sum suggest.

Answers, weights and scores save one value at a time, as a spreadsheet cell does, and conflict as
the editor's fields do (merging.py): a value someone else changed since the page showed it is not
overwritten; the form shows both. Each save moves the draft to its next revision (so approvals
given before go stale). Choosing the outcome is the team's act and checks the page's revision like
every other choice; choosing against the suggestion needs a reason, which goes into the rationale.

Every action is a plain POST that redirects back to the step. With HTMX an autosave answers with
its form's new bases only, and the page then fetches the ranking, the effects, the step bar and
the preview (`live`); the other actions answer with the regions they changed, out of band.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from apps.core.text import without_bidi_controls
from apps.decisions.access import get_decision_for, get_row_for
from apps.decisions.models import Answer, AuthOption, Criterion, Decision, Scenario, Score, Status
from apps.formats import criteria
from apps.reviews.models import Contribution

from . import merging, questions
from .context import TEMPLATE, editor_context
from .models import Kit, KitChoice

PARTS = "authoring/_decide.html"
DEFAULT_WEIGHT = 3
MAX_NOTE = 500
MAX_REASON = 2000
LEVEL_WORDS = criteria.LEVEL_WORDS


# --- Loading ------------------------------------------------------------------------------------


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


def kit_of(decision: Decision) -> Kit | None:
    choice = KitChoice.objects.filter(decision=decision).select_related("kit").first()
    return choice.kit if choice else None


def _questions(kit: Kit | None) -> list[questions.Question]:
    if kit is None:
        return []
    try:
        return kit.questions()
    except (yaml.YAMLError, ValueError, TypeError):
        # A kit whose questions no longer parse asks nothing; the admin refuses to save one.
        return []


def drivers_of(decision: Decision) -> list[str]:
    return list(
        dict.fromkeys(line.strip() for line in decision.drivers.splitlines() if line.strip())
    )


def decide_context(
    decision: Decision, record=None, conflicts: dict[str, dict] | None = None
) -> dict[str, Any]:
    """What the Decide step shows, from the decision as loaded by `with_record`; `conflicts`
    holds, by form, the author's values that someone else's save got in the way of."""
    conflicts = conflicts or {}
    record = record or decision.to_record()
    ranking = criteria.rank(record)
    kit = kit_of(decision)
    asked = _questions(kit)
    answers = list(decision.answers.all())
    by_key = {a.key: a for a in answers if a.key}
    drivers = drivers_of(decision)
    scenarios = list(decision.scenarios.all())
    rows = []
    by_title = {c.title: c for c in decision.criteria.all()}
    for position, title in enumerate(drivers):
        criterion = by_title.get(title)
        given = {s.scenario_id: s.value for s in criterion.scores.all()} if criterion else {}
        option = criterion.option if criterion and criterion.option_id else None
        name = option.title if option else (criterion.option_name if criterion else "")
        levels = criteria.option_levels(record, name) if name else {}
        stored = {"weight": criterion.weight if criterion else DEFAULT_WEIGHT}
        if not name:
            stored.update((f"score-{s.pk}", given.get(s.pk, 0)) for s in scenarios)
        form = _form(f"criterion-{position}", stored, conflicts, _criterion_words)
        rows.append(
            {
                "index": position,
                "title": title,
                "criterion": criterion,
                "form": form,
                "weight": form.values["weight"],
                "weight_theirs": form.theirs.get("weight"),
                "option": name,
                "cells": [
                    {
                        "scenario": s,
                        "value": form.values.get(f"score-{s.pk}", 0),
                        "theirs": form.theirs.get(f"score-{s.pk}"),
                        "level": levels.get(s.title, "unknown"),
                        "level_word": LEVEL_WORDS.get(levels.get(s.title, "unknown"), ""),
                    }
                    for s in scenarios
                ],
            }
        )
    top = max((abs(s.total) for s in ranking.standings), default=0) or 1
    return {
        "kit": kit,
        "kits": [k for k in Kit.objects.all() if _questions(k)] if kit is None else [],
        "questions": [
            {
                "q": q,
                "answer": by_key.get(q.key),
                "form": _form(
                    f"answer-{q.key}",
                    {
                        "answer": by_key[q.key].answer if q.key in by_key else "",
                        "note": by_key[q.key].note if q.key in by_key else "",
                    },
                    conflicts,
                    _answer_words,
                ),
                "effect": _effect(by_key.get(q.key), record),
                "driver": _driver_text(q, by_key.get(q.key)),
                "is_driver": _driver_text(q, by_key.get(q.key)) in drivers,
            }
            for q in asked
        ],
        "other_answers": [a for a in answers if a.key not in {q.key for q in asked}],
        "criteria_rows": rows,
        "columns": scenarios,
        "ranking": ranking,
        "bars": [
            {"s": s, "width": round(100 * abs(s.total) / top), "negative": s.total < 0}
            for s in ranking.standings
        ],
        "weights": list(criteria.WEIGHTS),
        "scores": list(criteria.SCORES),
    }


def _effect(answer: Answer | None, record) -> dict:
    if answer is None:
        return {}
    entry = next((a for a in record.answers if a.question == answer.question), None)
    if entry is None:
        return {}
    out, partly = criteria.unmet(record, entry)
    titles = [s.title for s in record.scenarios]
    return {
        "out": [t for t in titles if t in out],
        "partly": [t for t in titles if t in partly],
        "favours": [t for t in titles if t in entry.favours and t not in out],
    }


def _driver_text(question: questions.Question, answer: Answer | None) -> str:
    if answer is None:
        return ""
    choice = question.choice(answer.answer)
    return (choice.driver if choice and choice.driver else f"{question.ask} {answer.answer}")[:500]


def _context(decision: Decision, conflicts: dict | None = None, **extra: Any) -> dict[str, Any]:
    context = editor_context(decision, "decide")
    context.update(decide_context(decision, context.get("record"), conflicts), **extra)
    return context


def _regions(request: HttpRequest, decision: Decision, *names: str, status: int = 200, **extra):
    """The named regions of the step, out of band, with the step bar and the preview."""
    decision = _reload(decision)
    context = _context(decision, oob=True, **extra)
    html = "".join(render_to_string(f"{PARTS}#{name}", context, request) for name in names)
    html += "".join(
        render_to_string(f"{TEMPLATE}#{name}", context, request) for name in ("stepbar", "preview")
    )
    return HttpResponse(html, status=status)


def _done(
    request: HttpRequest, decision: Decision, before: int | None, *names: str, where: str = ""
) -> HttpResponse:
    """After a change: redirect a plain POST; give HTMX the regions, and move the page's forms
    from the revision before this save on to this one (see static/js/authoring.js)."""
    if not request.htmx:
        return redirect(_url(decision, "step", "decide") + (f"#{where}" if where else ""))
    response = _regions(request, decision, *names)
    if before is None:
        return response
    return trigger_client_event(response, "adroit:revision", {"from": before, "value": before + 1})


def _read_only(request: HttpRequest, decision: Decision) -> HttpResponse:
    context = _context(decision)
    if not request.htmx:
        return render(request, TEMPLATE, context, status=409)
    html = render_to_string(f"{TEMPLATE}#banner", {**context, "oob": True}, request)
    return HttpResponse(html, status=409)


def _refuse(
    request: HttpRequest, decision: Decision, region: str, status: int = 422, **errors: Any
) -> HttpResponse:
    """Refused input (422, or 409 when stale): the step again with the message beside the
    field, nothing saved."""
    if not request.htmx:
        return render(request, TEMPLATE, _context(_reload(decision), **errors), status=status)
    return _regions(request, decision, region, status=status, **errors)


def _next_revision(request: HttpRequest, decision: Decision, **changes: Any) -> int | None:
    """Move the draft on to its next revision whatever revision the page was loaded at (a value
    saved on its own has no text to overwrite), recording the writer for the four-eyes rule.
    Returns the revision before, or None when the decision is no longer a draft."""
    for _attempt in range(5):
        current = Decision.objects.filter(pk=decision.pk).values_list("revision", flat=True).get()
        with transaction.atomic():
            if decision.bump_revision(current, **changes):
                Contribution.record(decision, request.user)
                return current
        if not Decision.objects.filter(pk=decision.pk, status=Status.DRAFT).exists():
            return None
    return None


def _question(decision: Decision, key: str) -> questions.Question:
    found = next((q for q in _questions(kit_of(decision)) if q.key == key), None)
    if found is None:
        raise Http404("This decision's kit asks no such question.")
    return found


# --- Pages and saves ----------------------------------------------------------------------------


@login_required
@require_GET
def decide(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision = _get(request, workspace_slug, number)
    return render(request, TEMPLATE, _context(decision))


@login_required
@require_GET
def live(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    """The ranking, each answer's effect, the step bar and the preview as they are now, which
    the page fetches once its saves pause."""
    decision = _get(request, workspace_slug, number)
    if not request.htmx:
        return redirect(_url(decision, "step", "decide"))
    context = _context(decision, oob=True)
    html = "".join(
        render_to_string(f"{PARTS}#{name}", context, request) for name in ("ranking", "effects")
    )
    html += "".join(
        render_to_string(f"{TEMPLATE}#{name}", context, request) for name in ("stepbar", "preview")
    )
    return HttpResponse(html)


@login_required
@require_POST
def use_kit(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    """Ask the questions of another kit (a decision not started from one has none yet)."""
    decision = _get(request, workspace_slug, number)
    if decision.status != Status.DRAFT:
        return _read_only(request, decision)
    kit = Kit.objects.filter(slug=request.POST.get("kit", "")).first()
    if kit is None or not _questions(kit):
        return render(
            request,
            TEMPLATE,
            _context(decision, kit_error="Choose a kit that asks questions."),
            status=422,
        )
    KitChoice.objects.update_or_create(decision=decision, defaults={"kit": kit})
    return redirect(_url(decision, "step", "decide"))


@login_required
@require_POST
def make_driver(request: HttpRequest, workspace_slug: str, number: int, key: str) -> HttpResponse:
    """Turn an answer into a decision driver, weighted and scored from what the answer means."""
    decision = _get(request, workspace_slug, number)
    question = _question(decision, key)
    if decision.status != Status.DRAFT:
        return _read_only(request, decision)
    answer = Answer.objects.filter(decision=decision, key=key).first()
    if answer is None:
        return _refuse(
            request, decision, "effects", answer_errors={key: "Answer the question first."}
        )
    text = _driver_text(question, answer)
    drivers = drivers_of(decision)
    with transaction.atomic():
        changes = {} if text in drivers else {"drivers": "\n".join([*drivers, text])}
        before = _next_revision(request, decision, **changes)
        if before is None:
            return _read_only(request, decision)
        _criterion_from(decision, answer, text)
    return _done(request, decision, before, "effects", "criteria", "ranking", where="criteria")


def _criterion_from(decision: Decision, answer: Answer, title: str) -> Criterion:
    """The driver's criterion: a need's option is scored by the matrix; otherwise what the answer
    rules out scores -2 and what it favours +2, for the team to adjust."""
    criterion, created = Criterion.objects.get_or_create(
        decision=decision, title=title, defaults={"weight": 4}
    )
    needs = list(answer.needs.all())
    if needs:
        criterion.option = needs[0]
        criterion.save(update_fields=["option"])
        return criterion
    if created:
        out = {s.pk for s in answer.rules_out.all()}
        favoured = {s.pk for s in answer.favours.all()}
        Score.objects.bulk_create(
            Score(criterion=criterion, scenario_id=pk, value=-2 if pk in out else 2)
            for pk in out | favoured
        )
    return criterion


@login_required
@require_POST
def choose(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    """Choose the outcome. Against the suggestion (or a scenario an answer rules out) it takes a
    reason, added to the rationale; the check is here, on the server, whatever the page sent."""
    decision = _get(request, workspace_slug, number)
    if decision.status != Status.DRAFT:
        return _read_only(request, decision)
    try:
        scenario = Scenario.objects.get(decision=decision, pk=int(request.POST.get("scenario", "")))
    except (ValueError, Scenario.DoesNotExist):
        return _refuse(request, decision, "choose", choose_error="Choose one of the scenarios.")
    reason = request.POST.get("reason", "").strip()
    if len(reason) > MAX_REASON:
        return _refuse(
            request,
            decision,
            "choose",
            choose_error=f"Keep the reason to {MAX_REASON} characters.",
            reason=reason,
        )
    decision.chosen = scenario
    against = decision.against_suggestion()
    if against and not reason:
        return _refuse(request, decision, "choose", choose_error=against, chosen_pk=scenario.pk)
    rationale = decision.rationale
    if against:
        ranking = criteria.rank(decision.to_record())
        said = (
            f"Chosen over the suggested {ranking.suggested}: {reason}"
            if ranking.suggested
            else f"Chosen although it does not meet every answer: {reason}"
        )
        rationale = f"{rationale.rstrip()}\n\n{said}".strip()
    try:
        sent = int(request.POST.get("revision", ""))
    except ValueError:
        sent = 0
    with transaction.atomic():
        if not decision.bump_revision(sent, chosen=scenario, rationale=rationale):
            return _refuse(
                request,
                decision,
                "choose",
                status=409,
                choose_error="Someone else saved this decision since you loaded the page: "
                "check the ranking below and choose again.",
            )
        Contribution.record(decision, request.user)
    if request.htmx:
        response = _regions(request, decision, "choose", "ranking", chosen_now=True)
        return trigger_client_event(response, "adroit:revision", {"from": sent, "value": sent + 1})
    return redirect(_url(decision, "step", "decide") + "#ranking")


# --- Saving one value at a time -----------------------------------------------------------------
# An answer form sends the answer and its note; a driver's row its weight and each scenario's
# score. Each value carries the base it was shown from (merging.py): a save writes only the values
# its author changed, each only while it is still what was read, so two people changing different
# values never conflict. A value someone else changed since the page showed it is not written:
# the form comes back with both, for its author to choose.

# How often a save is judged again when another save landed between its read and its write.
ATTEMPTS = 5
BUSY = "Others kept saving this at the same moment: nothing was saved. Try again."
# What an answer means for the draft, stored with it (see _meaning).
MEANING = ("rules_out", "favours", "needs")


@dataclass
class Shown:
    """One Decide form as the page shows it: its values, the base each was shown from, and after
    a conflict, what someone else saved beside the author's own (`theirs`, as text)."""

    key: str  # the form's id
    values: dict[str, Any]
    bases: dict[str, str]
    theirs: dict[str, str] = field(default_factory=dict)

    @property
    def conflict(self) -> bool:
        return bool(self.theirs)

    def base_inputs(self) -> list[tuple[str, str]]:
        return [(name + merging.BASE_SUFFIX, value) for name, value in self.bases.items()]


def _form(key: str, stored: dict[str, Any], conflicts: dict[str, dict], words) -> Shown:
    """A form showing what is stored, each value with its base; after a conflict, the author's
    values where they conflict, what is stored beside them, and bases that let "Keep mine"
    save over it."""
    form = Shown(key, dict(stored), {name: merging.token(v) for name, v in stored.items()})
    for name, mine in conflicts.get(key, {}).items():
        if name in stored:
            form.values[name] = mine
            form.theirs[name] = words(name, stored[name])
    return form


def _answer_words(name: str, value: str) -> str:
    return value or ("Not answered" if name == "answer" else "(empty)")


def _criterion_words(name: str, value: int) -> str:
    return f"{value:+d}" if name != "weight" and value else str(value)


def _revision(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return 0


def _sent_bases(
    request: HttpRequest, decision: Decision, sent: dict, stored: dict
) -> dict[str, str]:
    """The bases the page sent; a value sent without one (a script, an old tab) from a page at
    the current revision is taken to be based on what is stored now."""
    bases = merging.sent_bases(request.POST, sent)
    if _revision(request) == decision.revision:
        for name, value in stored.items():
            bases.setdefault(name, merging.token(value))
    return bases


def _bump(decision: Decision) -> bool:
    """Move the draft to its next revision from the one this request read; False when another
    save came first (or it is no draft): the revision and status are read again."""
    rows = Decision.objects.filter(pk=decision.pk, revision=decision.revision, status=Status.DRAFT)
    if rows.update(revision=F("revision") + 1, updated_at=timezone.now()):
        decision.revision += 1
        return True
    fresh = Decision.objects.filter(pk=decision.pk).values("revision", "status").get()
    decision.revision, decision.status = fresh["revision"], fresh["status"]
    return False


def _saved(
    request: HttpRequest, decision: Decision, before: int, form: Shown, where: str
) -> HttpResponse:
    """A value saved (or nothing to save). A plain POST goes back to the step; htmx gets the
    form's new bases and events: the ranking, the answers' effects, the step bar and the preview
    fetch themselves once the changes pause (see `live`), so a click's save stays cheap. A
    conflict being resolved ("Keep mine") is swapped for the form as it is now."""
    if not request.htmx:
        return redirect(_url(decision, "step", "decide") + f"#{where}")
    if request.POST.get("resolving"):
        html = _form_html(request, _reload(decision), form.key)
    else:
        html = render_to_string(f"{PARTS}#bases", {"e": form, "bases_oob": True}, request)
    response = HttpResponse(html)
    if decision.revision != before:
        # Forms shown at the revision this save started from move on with it.
        events = {
            "adroit:saved": {"form": form.key},
            "adroit:revision": {"from": before, "value": decision.revision},
        }
        response["HX-Trigger"] = json.dumps(events)
    return response


def _in_conflict(
    request: HttpRequest, decision: Decision, key: str, mine: dict[str, Any]
) -> HttpResponse:
    """A value changed by someone else since this page showed it: nothing of it is written, and
    the form shows the author's value beside theirs (409)."""
    context = _context(_reload(decision), conflicts={key: mine})
    if not request.htmx:
        return render(request, TEMPLATE, context, status=409)
    response = HttpResponse(_form_html(request, context, key), status=409)
    return reswap(retarget(response, "this"), "outerHTML")


def _form_html(request: HttpRequest, decision_or_context, key: str) -> str:
    """One answer form or driver row, as the step shows it now."""
    context = decision_or_context
    if isinstance(context, Decision):
        context = _context(context)
    if key.startswith("answer-"):
        item = next(i for i in context["questions"] if i["form"].key == key)
        return render_to_string(f"{PARTS}#answer", {**context, "item": item}, request)
    row = next(r for r in context["criteria_rows"] if r["form"].key == key)
    return render_to_string(f"{PARTS}#criterion", {**context, "row": row}, request)


def _busy(request: HttpRequest, decision: Decision, region: str, **errors) -> HttpResponse:
    return _refuse(request, _reload(decision), region, status=409, **errors)


@login_required
@require_POST
def save_answer(request: HttpRequest, workspace_slug: str, number: int, key: str) -> HttpResponse:
    answer, decision = _answer_to_edit(request, workspace_slug, number, key)
    question = _kit_question(decision, key)
    if decision.status != Status.DRAFT:
        return _read_only(request, _reload(decision))
    label = request.POST.get("answer", "").strip()
    note = request.POST.get("note", "").strip()
    if label and question.choice(label) is None:
        return _refuse(
            request, decision, "effects", answer_errors={key: "Choose one of the answers."}
        )
    if len(note) > MAX_NOTE:
        return _refuse(
            request,
            decision,
            "effects",
            answer_errors={key: f"Keep the note to {MAX_NOTE} characters (it has {len(note)})."},
        )
    sent, before = {"answer": label, "note": note}, decision.revision
    for _attempt in range(ATTEMPTS):
        stored = {"answer": answer.answer, "note": answer.note} if answer else {"answer": ""}
        stored.setdefault("note", "")
        verdict = merging.judge_values(sent, _sent_bases(request, decision, sent, stored), stored)
        if not verdict.changes.get("answer", stored["answer"]):
            # Not answered (now): a note needs an answer. It stays on the page, unsaved, and is
            # saved with the answer chosen next.
            verdict.changes.pop("note", None)
            verdict.bases["note"] = merging.token("")
        if not verdict.changes:
            break
        if not _bump(decision):
            if decision.status != Status.DRAFT:
                return _read_only(request, _reload(decision))
            continue
        if _write_answer(decision, question, answer, stored, verdict.changes):
            Contribution.record(decision, request.user)
            break
        answer = _answers().filter(decision=decision, key=key).first()
    else:
        return _busy(request, decision, "effects", answer_errors={key: BUSY})
    if verdict.conflicts:
        return _in_conflict(
            request, decision, f"answer-{key}", {n: sent[n] for n in verdict.conflicts}
        )
    return _saved(
        request, decision, before, Shown(f"answer-{key}", sent, verdict.bases), f"q-{key}"
    )


def _answers():
    """Answers, each with whether it has stored what it means (no need to clear what is not)."""
    return Answer.objects.annotate(
        **{
            f"has_{name}": Exists(
                getattr(Answer, name).through.objects.filter(answer_id=OuterRef("pk"))
            )
            for name in MEANING
        }
    )


def _answer_to_edit(
    request: HttpRequest, workspace_slug: str, number: int, key: str
) -> tuple[Answer | None, Decision]:
    """The answer with its decision and the decision's kit, read in one query once the question
    is answered; a first answer reads the decision on its own."""
    answers = _answers().filter(key=key).select_related("decision__kit_choice__kit")
    found = get_row_for(request, workspace_slug, number, answers, "decision")
    if found is not None:
        return found
    decisions = Decision.objects.select_related("kit_choice__kit")
    return None, get_decision_for(request, workspace_slug, number, "edit", decisions)


def _kit_question(decision: Decision, key: str) -> questions.Question:
    choice = getattr(decision, "kit_choice", None)
    found = next((q for q in _questions(choice.kit if choice else None) if q.key == key), None)
    if found is None:
        raise Http404("This decision's kit asks no such question.")
    return found


@dataclass
class _Meaning:
    """What an answer means for this draft: the scenarios it rules out and favours, the options
    it needs (by id), and needs the draft has no option for (kept by name, not dropped)."""

    rules_out: list[int]
    favours: list[int]
    needs: list[int]
    unlinked_needs: list[str]


def _meaning(decision: Decision, choice: questions.Choice) -> _Meaning:
    """Resolved by title, reading only the rows the answer names."""
    rules_out: list[int] = []
    favours: list[int] = []
    if choice.requires or choice.rules_out or choice.favours:
        scenarios = list(Scenario.objects.filter(decision=decision).values_list("pk", "title"))
        out = set(choice.ruled_out([title for _, title in scenarios]))
        rules_out = [pk for pk, title in scenarios if title in out]
        favours = [pk for pk, title in scenarios if title in choice.favours]
    options: list[tuple[int, str]] = []
    if choice.needs:
        options = list(
            AuthOption.objects.filter(
                consideration__decision=decision, title__in=choice.needs
            ).values_list("pk", "title")
        )
    linked = {title for _, title in options}
    return _Meaning(
        rules_out, favours, [pk for pk, _ in options], [n for n in choice.needs if n not in linked]
    )


def _link(answer: Answer, meaning: _Meaning) -> None:
    """Store what the answer means in place of what it meant."""
    for name in MEANING:
        through = getattr(Answer, name).through
        target = "authoption_id" if name == "needs" else "scenario_id"
        if getattr(answer, f"has_{name}", True):
            through.objects.filter(answer_id=answer.pk).delete()
        pks = getattr(meaning, name)
        if pks:
            through.objects.bulk_create(through(answer_id=answer.pk, **{target: pk}) for pk in pks)


def _write_answer(
    decision: Decision,
    question: questions.Question,
    answer: Answer | None,
    stored: dict[str, str],
    changes: dict[str, str],
) -> bool:
    """Write the changed values while they are as read; False when someone else's save came in
    between, and the caller reads and judges again."""
    label = changes.get("answer", stored["answer"])
    if answer is None:
        return _add_answer(decision, question, question.choice(label), changes.get("note", ""))
    guarded = Answer.objects.filter(pk=answer.pk, **{name: stored[name] for name in changes})
    if not label:
        # Not answered any more: the answer goes, and its note with it.
        with transaction.atomic():
            return bool(guarded.delete()[0])
    values: dict[str, Any] = {}
    if "note" in changes:
        # update() skips pre_save, which keeps bidi controls out of one-line fields.
        values["note"] = without_bidi_controls(changes["note"])
    if "answer" not in changes:
        return bool(guarded.update(**values))
    meaning = _meaning(decision, question.choice(label))
    values.update(answer=label, question=question.ask, unlinked_needs=meaning.unlinked_needs)
    with transaction.atomic():
        if answer.question != question.ask:
            _replace_imported(decision, question)
        if not guarded.update(**values):
            return False
        _link(answer, meaning)
    return True


def _replace_imported(decision: Decision, question: questions.Question) -> None:
    """Another answer may already hold this question's text (imported): it is replaced."""
    imported = Answer.objects.filter(decision=decision, question=question.ask)
    imported.exclude(key=question.key).delete()


def _add_answer(
    decision: Decision, question: questions.Question, choice: questions.Choice, note: str
) -> bool:
    meaning = _meaning(decision, choice)
    try:
        with transaction.atomic():
            _replace_imported(decision, question)
            top = Answer.objects.filter(decision=decision).aggregate(top=Max("position"))["top"]
            answer = Answer.objects.create(
                decision=decision,
                key=question.key,
                question=question.ask,
                answer=choice.label,
                note=note,
                position=0 if top is None else top + 1,
                unlinked_needs=meaning.unlinked_needs,
            )
            answer.has_rules_out = answer.has_favours = answer.has_needs = False
            _link(answer, meaning)
    except IntegrityError:
        return False  # someone answered it a moment ago: judge again on theirs
    return True


@login_required
@require_POST
def save_criterion(
    request: HttpRequest, workspace_slug: str, number: int, index: int
) -> HttpResponse:
    """One driver's weight and scores; `driver` carries its text, so a driver renamed or removed
    since the page loaded is refused rather than weighed under another's name. Only the values
    changed on the page are read and written (see the section's comment)."""
    title = request.POST.get("driver", "").strip()
    try:
        sent = _sent_values(request)
    except ValueError:
        sent = None
    pks = [int(name.removeprefix("score-")) for name in (sent or {}) if name != "weight"]
    # Only the values this page changed (or sent without a base) need reading.
    read = [pk for pk in pks if _edited(request, f"score-{pk}", (sent or {}))]
    criterion, decision = _criterion_to_edit(request, workspace_slug, number, title, read)
    if decision.status != Status.DRAFT:
        return _read_only(request, _reload(decision))
    drivers = drivers_of(decision)
    if index >= len(drivers) or drivers[index] != title:
        return _refuse(
            request,
            decision,
            "criteria",
            criterion_error="This driver changed since the page loaded: its row shows it now.",
        )
    if sent is None or not _in_range(sent):
        return _refuse(
            request,
            decision,
            "criteria",
            criterion_error="A weight is 1 to 5 and a score −2 to +2.",
        )
    own = _own_scenarios(decision, criterion, read)
    if criterion is not None and criterion.option_id:
        own = set()  # an authentication need is scored by the matrix, not by hand
    # A score for another decision's scenario is dropped; one not changed here is never written.
    sent = {
        n: v
        for n, v in sent.items()
        if n == "weight" or _score_pk(n) in own or _score_pk(n) not in read
    }
    read = [pk for pk in read if pk in own]
    key, before = f"criterion-{index}", decision.revision
    for _attempt in range(ATTEMPTS):
        stored = _stored_values(criterion, read, with_weight="weight" in sent)
        verdict = merging.judge_values(sent, _sent_bases(request, decision, sent, stored), stored)
        if not verdict.changes:
            break
        if not _bump(decision):
            if decision.status != Status.DRAFT:
                return _read_only(request, _reload(decision))
            continue
        if _write_criterion(decision, criterion, title, index, stored, verdict.changes):
            Contribution.record(decision, request.user)
            break
        criterion = _criteria(read).filter(decision=decision, title=title).first()
    else:
        return _busy(request, decision, "criteria", criterion_error=BUSY)
    if verdict.conflicts:
        return _in_conflict(request, decision, key, {n: sent[n] for n in verdict.conflicts})
    return _saved(request, decision, before, Shown(key, sent, verdict.bases), key)


def _score_pk(name: str) -> int:
    return int(name.removeprefix("score-"))


def _sent_values(request: HttpRequest) -> dict[str, int]:
    """The weight and the scores sent, as numbers (a ValueError for anything else)."""
    sent = {}
    if "weight" in request.POST:
        sent["weight"] = int(request.POST["weight"])
    for name in request.POST:
        if name.startswith("score-") and not name.endswith(merging.BASE_SUFFIX):
            sent[f"score-{int(name.removeprefix('score-'))}"] = int(request.POST[name] or 0)
    return sent


def _in_range(sent: dict[str, int]) -> bool:
    return all(
        v in (criteria.WEIGHTS if n == "weight" else criteria.SCORES) for n, v in sent.items()
    )


def _edited(request: HttpRequest, name: str, sent: dict[str, int]) -> bool:
    """Whether the page changed this value, or sent it without the base it was shown from."""
    base = request.POST.get(name + merging.BASE_SUFFIX)
    return not base or merging.token(sent[name]) != base


def _criteria(pks: list[int]):
    """Criteria, each with its stored score (or None: no row yet) for the scenarios `pks`."""
    return Criterion.objects.annotate(
        **{
            f"score_{pk}": Subquery(
                Score.objects.filter(criterion=OuterRef("pk"), scenario_id=pk).values("value")[:1]
            )
            for pk in pks
        }
    )


def _criterion_to_edit(
    request: HttpRequest, workspace_slug: str, number: int, title: str, pks: list[int]
) -> tuple[Criterion | None, Decision]:
    """The driver's criterion with its decision and the scores to judge, in one query, with
    whether each of those scenarios is this decision's; a driver not weighed yet has none."""
    own = {
        f"own_{pk}": Exists(Scenario.objects.filter(pk=pk, decision=OuterRef("decision_id")))
        for pk in pks
    }
    criteria_ = _criteria(pks).filter(title=title).annotate(**own)
    found = get_row_for(request, workspace_slug, number, criteria_, "decision")
    if found is not None:
        return found
    return None, get_decision_for(request, workspace_slug, number, "edit")


def _own_scenarios(decision: Decision, criterion: Criterion | None, pks: list[int]) -> set[int]:
    """Of these scenarios, this decision's: a score for another's is ignored."""
    if criterion is not None:
        return {pk for pk in pks if getattr(criterion, f"own_{pk}")}
    return set(Scenario.objects.filter(decision=decision, pk__in=pks).values_list("pk", flat=True))


def _stored_values(criterion: Criterion | None, pks: list[int], with_weight: bool) -> dict:
    stored: dict[str, int] = {}
    if with_weight:
        stored["weight"] = criterion.weight if criterion else DEFAULT_WEIGHT
    for pk in pks:
        value = getattr(criterion, f"score_{pk}", None) if criterion else None
        stored[f"score-{pk}"] = value or 0
    return stored


def _write_criterion(
    decision: Decision,
    criterion: Criterion | None,
    title: str,
    index: int,
    stored: dict[str, int],
    changes: dict[str, int],
) -> bool:
    """Write the changed values while they are as read; False when someone else's save came in
    between, and the caller reads and judges again."""
    scores = {int(n.removeprefix("score-")): v for n, v in changes.items() if n != "weight"}
    try:
        if criterion is None:
            with transaction.atomic():
                criterion = Criterion.objects.create(
                    decision=decision,
                    title=title,
                    weight=changes.get("weight", DEFAULT_WEIGHT),
                    position=index,
                )
                Score.objects.bulk_create(
                    Score(criterion=criterion, scenario_id=pk, value=v) for pk, v in scores.items()
                )
            return True
        if "weight" in changes:
            weighed = Criterion.objects.filter(pk=criterion.pk, weight=stored["weight"])
            if not weighed.update(weight=changes["weight"], position=index):
                return False
        for pk, value in scores.items():
            if getattr(criterion, f"score_{pk}", None) is None:
                with transaction.atomic():
                    Score.objects.create(criterion=criterion, scenario_id=pk, value=value)
                continue
            cell = Score.objects.filter(criterion=criterion, scenario_id=pk)
            if not cell.filter(value=stored[f"score-{pk}"]).update(value=value):
                return False
    except IntegrityError:
        return False  # the same driver or score was set a moment ago: judge again on theirs
    return True
