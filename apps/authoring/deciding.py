"""The Decide step: the team answers its kit's questions, weighs the drivers, scores the scenarios,
and sees which scenario the answers and the weighted sum suggest.

Answers, weights and scores save one value at a time, as a spreadsheet cell does: the last save of
a value wins, and each moves the draft to its next revision (so approvals given before go stale).
Choosing the outcome is the team's act and checks the page's revision like every other choice;
choosing against the suggestion needs a reason, which goes into the rationale.

Every action is a plain POST that redirects back to the step; with HTMX the same view answers with
the regions it changed (the ranking, the answer's effect, the criteria), the step bar and the
preview, swapped out of band.
"""

from __future__ import annotations

from typing import Any

import yaml
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from apps.decisions.access import get_decision_for
from apps.decisions.models import Answer, AuthOption, Criterion, Decision, Scenario, Score, Status
from apps.formats import criteria
from apps.reviews.models import Contribution

from . import questions
from .models import Kit, KitChoice
from .context import TEMPLATE, editor_context

PARTS = "authoring/_decide.html"
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


def decide_context(decision: Decision, record=None) -> dict[str, Any]:
    """What the Decide step shows, from the decision as loaded by `with_record`."""
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
        rows.append(
            {
                "index": position,
                "title": title,
                "criterion": criterion,
                "weight": criterion.weight if criterion else 3,
                "option": name,
                "cells": [
                    {
                        "scenario": s,
                        "value": given.get(s.pk, 0),
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


def _context(decision: Decision, **extra: Any) -> dict[str, Any]:
    context = editor_context(decision, "decide")
    context.update(decide_context(decision, context.get("record")), **extra)
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
def save_answer(request: HttpRequest, workspace_slug: str, number: int, key: str) -> HttpResponse:
    decision = _get(request, workspace_slug, number)
    question = _question(decision, key)
    if decision.status != Status.DRAFT:
        return _read_only(request, decision)
    label = request.POST.get("answer", "").strip()
    note = request.POST.get("note", "").strip()
    choice = question.choice(label) if label else None
    if label and choice is None:
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
    existing = Answer.objects.filter(decision=decision, key=key).first()
    saved = (existing.answer, existing.note) if existing else ("", "")
    if saved == (label if choice else "", note if choice else ""):
        # The same answer again (a blur after a save): nothing changes, nobody contributed.
        return _done(request, decision, None, "effects", "ranking", where=f"q-{key}")
    with transaction.atomic():
        before = _next_revision(request, decision)
        if before is None:
            return _read_only(request, decision)
        _apply_answer(decision, question, choice, note)
    return _done(request, decision, before, "effects", "ranking", where=f"q-{key}")


def _apply_answer(
    decision: Decision, question: questions.Question, choice: questions.Choice | None, note: str
) -> None:
    """Store the answer with what it means for this draft's scenarios and options, by title."""
    existing = Answer.objects.filter(decision=decision, key=question.key).first()
    if choice is None:
        if existing:
            existing.delete()
        return
    scenarios = list(Scenario.objects.filter(decision=decision))
    titles = [s.title for s in scenarios]
    answer = existing or Answer(decision=decision, key=question.key)
    if answer.pk is None:
        top = Answer.objects.filter(decision=decision).aggregate(top=Max("position"))["top"]
        answer.position = 0 if top is None else top + 1
    # Another answer may already hold this question's text (imported): it is replaced.
    Answer.objects.filter(decision=decision, question=question.ask).exclude(pk=answer.pk).delete()
    answer.question, answer.answer, answer.note = question.ask, choice.label, note
    answer.save()
    out = set(choice.ruled_out(titles))
    answer.rules_out.set(s for s in scenarios if s.title in out)
    answer.favours.set(s for s in scenarios if s.title in choice.favours)
    needed = list(
        AuthOption.objects.filter(consideration__decision=decision, title__in=choice.needs)
    )
    answer.needs.set(needed)
    # A need the draft has no option for (the team removed it) is kept by name, not dropped.
    linked = {o.title for o in needed}
    unlinked = [n for n in choice.needs if n not in linked]
    if unlinked != answer.unlinked_needs:
        answer.unlinked_needs = unlinked
        answer.save(update_fields=["unlinked_needs"])


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
def save_criterion(
    request: HttpRequest, workspace_slug: str, number: int, index: int
) -> HttpResponse:
    """One driver's weight and scores; `driver` carries its text, so a driver renamed or removed
    since the page loaded is refused rather than weighed under another's name."""
    decision = _get(request, workspace_slug, number)
    if decision.status != Status.DRAFT:
        return _read_only(request, decision)
    drivers = drivers_of(decision)
    title = request.POST.get("driver", "").strip()
    if index >= len(drivers) or drivers[index] != title:
        return _refuse(
            request,
            decision,
            "criteria",
            criterion_error="This driver changed since the page loaded: its row shows it now.",
        )
    scenarios = list(Scenario.objects.filter(decision=decision))
    try:
        weight = int(request.POST.get("weight", "3"))
        values = {s.pk: int(request.POST.get(f"score-{s.pk}", "0") or 0) for s in scenarios}
    except ValueError:
        weight, values = 0, {}
    if weight not in criteria.WEIGHTS or any(v not in criteria.SCORES for v in values.values()):
        return _refuse(
            request,
            decision,
            "criteria",
            criterion_error="A weight is 1 to 5 and a score −2 to +2.",
        )
    with transaction.atomic():
        before = _next_revision(request, decision)
        if before is None:
            return _read_only(request, decision)
        criterion, _ = Criterion.objects.update_or_create(
            decision=decision, title=title, defaults={"weight": weight, "position": index}
        )
        if not criterion.option_id:
            Score.objects.filter(criterion=criterion).delete()
            Score.objects.bulk_create(
                Score(criterion=criterion, scenario_id=pk, value=v) for pk, v in values.items() if v
            )
    return _done(request, decision, before, "ranking", where=f"criterion-{index}")


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
