"""MADR 4's Confirmation as a checklist that reads back.

Under `### Confirmation`, after any prose, each item is one task-list line:

    - [ ] Gateway logs reach the SIEM — owner: Ada Lovelace; due: 2027-03-01
    - [x] Load test — owner: Rita; due: 2027-02-01; confirmed by Rita on 2027-01-20: p99 80 ms
    - [ ] No public bucket — owner: Ada; failed by Rita on 2027-01-21: two buckets are public

GitHub and most Markdown viewers show the lines as checkboxes; `[x]` is a confirmed item. The
part after ` — ` says who owns the check, when it is due and how it went; a reader that finds no
such part keeps the whole line as the item's text, so any task list reads back as it was written.
"""

from __future__ import annotations

import re
from datetime import date

from .record import CONFIRMATION_STATES, ConfirmationEntry

SEPARATOR = " — "
_ITEM = re.compile(r"^[-*] \[(?P<mark>[ xX])\] (?P<rest>\S.*)$")
_DAY = r"\d{4}-\d{2}-\d{2}"
_META = re.compile(
    r"^(?:owner: (?P<owner>[^;\n]+?))?"
    rf"(?:(?:^|; )due: (?P<due>{_DAY}))?"
    r"(?:(?:^|; )(?P<state>pending|confirmed|failed)(?: by (?P<by>[^;\n]+?))?"
    rf"(?: on (?P<at>{_DAY}))?(?:: (?P<note>.*))?)?$"
)


def _valid_day(text: str | None) -> bool:
    if not text:
        return True
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _meta(item: ConfirmationEntry) -> str:
    parts = []
    if item.owner:
        parts.append(f"owner: {_one_line(item.owner).replace(';', ',')}")
    if item.due:
        parts.append(f"due: {item.due}")
    if item.by or item.at or item.note or item.state == "failed":
        state = item.state
        if item.by:
            state += f" by {_one_line(item.by).replace(';', ',')}"
        if item.at:
            state += f" on {item.at}"
        if item.note:
            state += f": {_one_line(item.note)}"
        parts.append(state)
    return "; ".join(parts)


def item_line(item: ConfirmationEntry) -> str:
    mark = "x" if item.state == "confirmed" else " "
    meta = _meta(item)
    text = _one_line(item.text)
    return f"- [{mark}] {text}{SEPARATOR + meta if meta else ''}"


def write_items(items: list[ConfirmationEntry]) -> str:
    return "\n".join(item_line(item) for item in items)


def parse_item(line: str) -> ConfirmationEntry | None:
    """One checklist line as an item, or None when the line is no task-list item."""
    match = _ITEM.match(line)
    if not match:
        return None
    rest = match.group("rest")
    confirmed = match.group("mark") in "xX"
    start = 0
    while (at := rest.find(SEPARATOR, start)) != -1:
        meta = _META.match(rest[at + len(SEPARATOR) :])
        start = at + 1
        if not meta or not any(meta.groupdict().values()):
            continue
        if not (_valid_day(meta["due"]) and _valid_day(meta["at"])):
            continue
        state = meta["state"] or ("confirmed" if confirmed else "pending")
        if (state == "confirmed") != confirmed:
            continue  # the box and the words disagree: keep the line as it stands
        return ConfirmationEntry(
            text=rest[:at],
            owner=meta["owner"] or "",
            due=meta["due"] or "",
            state=state,
            note=meta["note"] or "",
            by=meta["by"] or "",
            at=meta["at"] or "",
        )
    return ConfirmationEntry(text=rest, state="confirmed" if confirmed else "pending")


def split_confirmation(body: str) -> tuple[str, list[ConfirmationEntry]]:
    """A Confirmation section's prose and the checklist closing it.

    Only a list that ends the section, stands after a blank line and is made of task-list lines
    alone is read as items; anything else stays prose, as written.
    """
    lines = body.rstrip("\n").split("\n")
    start = len(lines)
    while start > 0 and _ITEM.match(lines[start - 1]):
        start -= 1
    if start == len(lines) or (start > 0 and lines[start - 1].strip()):
        return body, []
    items = [parse_item(line) for line in lines[start:]]
    prose = "\n".join(lines[:start]).strip("\n")
    return prose, [item for item in items if item is not None]


def join_confirmation(prose: str, items: list[ConfirmationEntry]) -> str:
    """The section's body as the writers put it: the prose, then the checklist."""
    parts = [p for p in (prose.strip("\n"), write_items(items)) if p.strip()]
    return "\n\n".join(parts)


__all__ = [
    "CONFIRMATION_STATES",
    "item_line",
    "join_confirmation",
    "parse_item",
    "split_confirmation",
    "write_items",
]
