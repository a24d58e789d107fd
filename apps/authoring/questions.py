"""A kit's questions: what the team is asked in the Decide step, kept as data in the kit.

A kit's YAML carries them under `questions:` beside the decision's fields:

    questions:
      - key: api-keys
        ask: Do partners need API keys and per-client quotas?
        answers:
          - label: "Yes"
            needs: [API key]            # authentication options, judged by the support matrix
            driver: Partners need API keys and per-client quotas.
          - label: "No"
      - key: push
        ask: Must the server push results to clients?
        answers:
          - {label: "Yes", requires: [WebSocket API]}   # every other scenario does not meet it
          - {label: "No", favours: [REST API, HTTP API]}

An answer may require scenarios (the others do not meet it), rule scenarios out, favour them, and
need authentication options (scenarios that do not support one do not meet it). Answering stores
what the answer means for the draft's scenarios, so the record stands without the kit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from apps.formats.record import Record

MAX_QUESTIONS = 50
MAX_ANSWERS = 12
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True)
class Choice:
    label: str
    requires: tuple[str, ...] = ()
    rules_out: tuple[str, ...] = ()
    favours: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    driver: str = ""  # the decision driver this answer becomes with one click

    def ruled_out(self, scenarios: list[str]) -> list[str]:
        """The scenarios (of those given, in their order) that do not meet this answer."""
        required = set(self.requires)
        return [t for t in scenarios if t in self.rules_out or (required and t not in required)]


@dataclass(frozen=True)
class Question:
    key: str
    ask: str
    help: str
    choices: tuple[Choice, ...]

    def choice(self, label: str) -> Choice | None:
        return next((c for c in self.choices if c.label == label), None)


def _names(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} must be a list of titles.")
    return tuple(v.strip() for v in value if v.strip())


def parse(data: Any) -> list[Question]:
    """The questions of a kit's `questions:` value; a ValueError says what is wrong, and where."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise ValueError("questions must be a list.")
    if len(data) > MAX_QUESTIONS:
        raise ValueError(f"A kit asks at most {MAX_QUESTIONS} questions.")
    questions, keys = [], set()
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"Question {n} must be a mapping with key, ask and answers.")
        key, ask = str(item.get("key") or "").strip(), str(item.get("ask") or "").strip()
        if not _KEY.match(key):
            raise ValueError(f"Question {n} needs a key of lower-case letters, digits and dashes.")
        if key in keys:
            raise ValueError(f"Two questions have the key “{key}”.")
        keys.add(key)
        if not ask or len(ask) > 300:
            raise ValueError(f"Question “{key}” needs its question (ask), up to 300 characters.")
        answers = item.get("answers")
        if not isinstance(answers, list) or not 2 <= len(answers) <= MAX_ANSWERS:
            raise ValueError(f"Question “{key}” needs between 2 and {MAX_ANSWERS} answers.")
        choices, labels = [], set()
        for answer in answers:
            if not isinstance(answer, dict):
                raise ValueError(f"An answer of “{key}” must be a mapping with a label.")
            label = str(answer.get("label") or "").strip()
            if not label or len(label) > 200 or label in labels:
                raise ValueError(f"Each answer of “{key}” needs its own label (up to 200).")
            labels.add(label)
            where = f"“{key}: {label}”"
            driver = str(answer.get("driver") or "").strip()
            if "\n" in driver or len(driver) > 500:
                raise ValueError(f"The driver of {where} must be one line of up to 500.")
            choices.append(
                Choice(
                    label=label,
                    requires=_names(answer.get("requires"), f"requires of {where}"),
                    rules_out=_names(answer.get("rules_out"), f"rules_out of {where}"),
                    favours=_names(answer.get("favours"), f"favours of {where}"),
                    needs=_names(answer.get("needs"), f"needs of {where}"),
                    driver=driver,
                )
            )
        questions.append(Question(key, ask, str(item.get("help") or "").strip(), tuple(choices)))
    return questions


def unknown_names(questions: list[Question], record: Record) -> list[str]:
    """Scenarios and options the questions name that the kit's decision does not have."""
    scenarios = {s.title for s in record.scenarios}
    options = {o.title for c in record.considerations for o in c.options}
    problems = []
    for q in questions:
        for c in q.choices:
            for name in (*c.requires, *c.rules_out, *c.favours):
                if name not in scenarios:
                    problems.append(f"“{q.key}: {c.label}” names the scenario “{name}”.")
            for name in c.needs:
                if name not in options:
                    problems.append(f"“{q.key}: {c.label}” needs the option “{name}”.")
    return problems
