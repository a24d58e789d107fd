"""Concurrency per field: each field of a form carries the base it was shown from.

A save applies the fields its author changed (their value differs from the base). A field
conflicts only when someone else changed that same field since (the stored value differs from
the base too, and from what is sent). Fields the author did not touch are left as stored, so a
co-author's edit of another field, or of another row, is never overwritten nor refused.

The base is a short hash of the value as shown, so the page stays small and the comparison
ignores what browsers do to line ends.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models

BASE_SUFFIX = "__base"


def normal(value: Any) -> str:
    """One spelling per value: text without CRs or outer blanks, a row by its id, a day in ISO."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "\n".join(normal(v) for v in value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def token(value: Any) -> str:
    return hashlib.sha256(normal(value).encode()).hexdigest()[:16]


def shown_bases(form: forms.BaseForm) -> dict[str, str]:
    """The base of every field of an unbound form: what the page shows now."""
    return {name: token(value) for name, value in current(form).items()}


def current(form: forms.BaseForm) -> dict[str, Any]:
    """The stored value of each field of a form made of what is stored."""
    if hasattr(form, "current_values"):
        return form.current_values()
    return {name: form[name].value() for name in form.fields}


def posted_bases(form: forms.BaseForm, data) -> dict[str, str]:
    bases = {}
    for name in form.fields:
        value = data.get(form[name].html_name + BASE_SUFFIX)
        if value:
            bases[name] = value
    return bases


@dataclass
class Verdict:
    """What a save does: the fields to write, the fields in conflict, and the bases after it."""

    changes: dict[str, Any] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    untouched: list[str] = field(default_factory=list)  # not changed by this author
    bases: dict[str, str] = field(default_factory=dict)


def judge(form: forms.BaseForm, bases: dict[str, str], current: dict[str, Any]) -> Verdict:
    """Compare a valid form with its bases and the values stored now (`current`, by field)."""
    return judge_values({name: form.cleaned_data.get(name) for name in form.fields}, bases, current)


def sent_bases(data, names) -> dict[str, str]:
    """The bases posted for values named without a form's prefix (the Decide step's)."""
    return {name: data[name + BASE_SUFFIX] for name in names if data.get(name + BASE_SUFFIX)}


def judge_values(sent: dict[str, Any], bases: dict[str, str], current: dict[str, Any]) -> Verdict:
    """`judge` for values sent by name: `sent` the author's, `current` the stored ones."""
    verdict = Verdict()
    for name, value in sent.items():
        mine, now = token(value), token(current.get(name))
        base = bases.get(name)
        if base is None or mine == base:
            # Not edited here. A field sent without a base, from a page older than what is
            # stored (the view fills in bases for a page at the current revision), is judged
            # as edited: it conflicts where it differs from what is stored.
            if base is None and mine != now:
                verdict.conflicts.append(name)
            else:
                verdict.untouched.append(name)
            verdict.bases[name] = now if mine == now else (base or now)
            continue
        if mine == now:
            verdict.bases[name] = now  # already saved: by this author's earlier save, or by luck
        elif base == now:
            verdict.changes[name] = value
            verdict.bases[name] = mine
        else:
            verdict.conflicts.append(name)
            verdict.bases[name] = base
    return verdict


def guard(instance: models.Model, names: list[str]) -> dict[str, Any]:
    """Lookups that hold only while these fields are still as `instance` read them."""
    lookups = {}
    for name in names:
        model_field = instance._meta.get_field(name)
        value = getattr(instance, model_field.attname)
        if value is None:
            lookups[f"{model_field.attname}__isnull"] = True
        else:
            lookups[model_field.attname] = value
    return lookups


def with_current(data, form: forms.BaseForm, current_form: forms.BaseForm, names: list[str]):
    """The posted data with the stored value in `names`: a conflict view shows the author's own
    text only where they wrote, and what is stored everywhere else."""
    data = data.copy()
    for name in names:
        html_name = form[name].html_name
        value = current_form[name].value()
        if isinstance(form.fields[name], forms.BooleanField):
            if value:
                data[html_name] = "on"
            else:
                data.pop(html_name, None)
        elif isinstance(form.fields[name], forms.MultipleChoiceField):
            data.setlist(html_name, [str(v) for v in value or []])
        else:
            data[html_name] = "" if value is None else str(getattr(value, "pk", value))
    return data
