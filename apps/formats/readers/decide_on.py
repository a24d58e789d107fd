"""The "Decide on …" pages: common scenarios with `:::info` guidance, and considerations that say
which authentication options each scenario supports.

They borrow MADR's Decision Drivers and Decision Outcome; their Context may carry an Overview.
"""

from __future__ import annotations

import re

from ..record import AuthOptionEntry, ConsiderationEntry, RelationEntry, ScenarioEntry, SupportEntry
from ..vocabulary import relations_in
from . import madr, sections
from .document import Document
from .markdown import Block, Line, list_items, subsections, text_of
from .reader import Handler, Reader
from .sections import COMMON, references


def looks_like(doc: Document, name: str) -> bool:
    keys = {block.key for block in doc.blocks}
    title = str(doc.front.get("title", "")).strip().lower()
    named = name.startswith("decide-on") or title.startswith("decide on")
    return named or "common scenarios" in keys


# --------------------------------------------------------------------------------------------
# Context, with its Overview


def context(reader: Reader, block: Block) -> None:
    intro, subs = subsections(block)
    overview = next((s for s in subs if s.key == "overview"), None)
    if overview is None:
        sections.context(reader, block)
        return
    reader.rec.context = text_of(intro)
    reader.rec.overview = overview.body
    rest = [line for sub in subs if sub is not overview for line in _lines_of(sub)]
    if rest:
        reader.rec.overview = "\n\n".join([overview.body, text_of(rest)])
    reader.anchor = "context"


def _lines_of(block: Block) -> list[Line]:
    heading = Line(block.line, "#" * block.level + " " + block.heading)
    return [heading, *block.lines]


# --------------------------------------------------------------------------------------------
# Common scenarios

_CALLOUT = re.compile(r"^\s*:::(info|tip|caution|note|warning|danger)\b(.*)$")


def scenarios(reader: Reader, block: Block) -> None:
    intro, subs = subsections(block)
    reader.rec.options_intro = text_of(intro)
    for sub in subs:
        description, choose_when = _callout(sub.lines)
        kind = _callout_kind(sub.lines)
        if kind not in ("", "info"):
            reader.warn(f"':::{kind}' callout read as the scenario's guidance", sub.line)
        reader.rec.scenarios.append(ScenarioEntry(sub.heading, description, choose_when))
    reader.anchor = "options"


def _callout_kind(lines: list[Line]) -> str:
    found = (_CALLOUT.match(line.text) for line in lines if not line.in_code)
    return next((match.group(1) for match in found if match), "")


def _callout(lines: list[Line]) -> tuple[str, str]:
    """Split a scenario body into its description and its first `:::info` callout's text."""
    start = next(
        (i for i, line in enumerate(lines) if not line.in_code and _CALLOUT.match(line.text)), None
    )
    if start is None:
        return text_of(lines), ""
    end = next((i for i in range(start + 1, len(lines)) if lines[i].text.strip() == ":::"), None)
    if end is None:
        return text_of(lines), ""
    title = _CALLOUT.match(lines[start].text).group(2).strip()  # type: ignore[union-attr]
    inner = text_of(lines[start + 1 : end])
    if title:
        inner = f"{title}\n\n{inner}"
    description = text_of([*lines[:start], *lines[end + 1 :]])
    return description, inner


# --------------------------------------------------------------------------------------------
# Considerations


def considerations(reader: Reader, block: Block) -> None:
    intro, subs = subsections(block)
    reader.anchor = "considerations"
    if text_of(intro):
        reader.keep("", text_of(intro), 0)
    for sub in subs:
        reader.rec.considerations.append(_consideration(reader, sub))


def _consideration(reader: Reader, block: Block) -> ConsiderationEntry:
    intro, subs = subsections(block)
    body_lines = []
    for line in intro:
        found = relations_in(line.text) if not line.in_code else []
        if found and re.match(r"^\s*See also\s*:", line.text, re.I):
            reader.rec.relations.extend(_as_see_also(found))
        else:
            body_lines.append(line)
    body = text_of(body_lines)
    item = ConsiderationEntry(block.heading, body)
    # "TODO" alone, or as the first paragraph before notes, marks a consideration still open.
    first, _, rest = body.strip().partition("\n\n")
    if first.strip().upper() in ("", "TODO", "TODO.", "TBD"):
        item.is_open, item.body = True, rest.strip()
    for sub in subs:
        if not _support_list(item, sub):
            item.body = "\n\n".join(part for part in (item.body, *_heading_and_body(sub)) if part)
    if subs and item.is_open and item.options:
        item.is_open = False
    return item


def _support_list(item: ConsiderationEntry, block: Block) -> bool:
    """`#### <scenario>` + "… support the following … types:" + bullets = supported options."""
    parts = list_items(block.lines)
    texts = [text for kind, text in parts if kind == "text"]
    bullets = [text for kind, text in parts if kind == "item"]
    # Ends with a colon and says "support" before it; `\bsupports?\b.*:\s*$` would scan to the
    # end from every "support" in a long line.
    lead = texts[0].rstrip() if len(texts) == 1 else ""
    lead_in = lead.endswith(":") and re.search(r"\bsupports?\b", lead[:-1])
    if not bullets or not lead_in or parts[0][0] != "text":
        return False
    known = {option.title: option for option in item.options}
    for title in bullets:
        option = known.get(title)
        if option is None:
            option = known[title] = AuthOptionEntry(title)
            item.options.append(option)
        option.support.append(SupportEntry(block.heading, "supported"))
    return True


def _as_see_also(found: list[RelationEntry]) -> list[RelationEntry]:
    return [RelationEntry("see_also", r.number, r.title, r.target) for r in found]


def _heading_and_body(block: Block) -> list[str]:
    return ["#" * block.level + " " + block.heading, block.body]


SECTIONS: dict[str, Handler] = {
    **COMMON,
    "context and problem statement": context,
    "context": context,
    "common scenarios": scenarios,
    "considerations": considerations,
    "references": references,
    "decision drivers": madr.drivers,
    "decision outcome": madr.outcome,
}
