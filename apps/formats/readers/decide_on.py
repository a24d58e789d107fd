"""The "Decide on …" pages: common scenarios with `:::info` guidance, and considerations that say
which authentication options each scenario supports.

They borrow MADR's Decision Drivers and Decision Outcome; their Context may carry an Overview.
"""

from __future__ import annotations

import re

from ..record import AuthOptionEntry, ConsiderationEntry, RelationEntry, ScenarioEntry, SupportEntry
from ..vocabulary import SUPPORT_CELLS, relations_in
from . import madr, sections
from .document import Document
from .markdown import Block, Line, list_items, subsections, text_of, unescape
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
    # `## Context` stays `## Context` on export, not the writers' "Context and Problem Statement".
    if block.key != "context and problem statement":
        reader.rec.headings["context"] = block.heading
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
        if madr.read_criteria(reader, sub):  # the Decide step's tables, as MADR writes them
            continue
        description, choose_when = _callout(sub.lines)
        reader.rec.scenarios.append(ScenarioEntry(sub.heading, description, choose_when))
    reader.anchor = "options"


def _callout(lines: list[Line]) -> tuple[str, str]:
    """Split a scenario body into its description and its guidance: the first `:::info`
    callout without a title. Every other callout (`:::tip`, `:::caution Careful`, a second
    `:::info`) stays in the description as written, so that its kind and title come back."""
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if not line.in_code
            and (found := _CALLOUT.match(line.text))
            and found.group(1) == "info"
            and not found.group(2).strip()
        ),
        None,
    )
    if start is None:
        return text_of(lines), ""
    end = next((i for i in range(start + 1, len(lines)) if lines[i].text.strip() == ":::"), None)
    if end is None:
        return text_of(lines), ""
    description = text_of([*lines[:start], *lines[end + 1 :]])
    return description, text_of(lines[start + 1 : end])


# --------------------------------------------------------------------------------------------
# Considerations


def considerations(reader: Reader, block: Block) -> None:
    intro, subs = subsections(block)
    if not subs:
        # Plain text, no considerations of its own: the section stays whole, heading and all.
        reader.keep_block(block)
        return
    reader.anchor = "considerations"
    if text_of(intro):
        reader.keep("", text_of(intro), 0)
    for sub in subs:
        reader.rec.considerations.append(_consideration(reader, sub))


def _consideration(reader: Reader, block: Block) -> ConsiderationEntry:
    intro, subs = subsections(block)
    item = ConsiderationEntry(block.heading)
    # The options by title and the (option, scenario) cells read, kept across subsections.
    known: dict[str, AuthOptionEntry] = {}
    seen: set[tuple[str, str]] = set()
    intro = _support_table(intro, item, known, seen)
    body_lines = []
    for line in intro:
        found = relations_in(line.text) if not line.in_code else []
        if found and re.match(r"^\s*See also\s*:", line.text, re.I):
            reader.rec.relations.extend(_as_see_also(found))
        else:
            body_lines.append(line)
    body = item.body = text_of(body_lines)
    # "TODO" alone (or bold, or with a colon), or as the first paragraph before notes, marks a
    # consideration still open; so does a first paragraph that opens `TODO:` (`TODO: ask the
    # network team`), kept as written.
    first, _, rest = body.strip().partition("\n\n")
    if is_todo_marker(first):
        item.is_open, item.body = True, rest.strip()
    elif opens_with_todo(first):
        item.is_open = True
    for sub in subs:
        if not _support_list(item, sub, known, seen):
            item.body = "\n\n".join(part for part in (item.body, *_heading_and_body(sub)) if part)
    if subs and item.is_open and item.options:
        item.is_open = False
    return item


def _support_list(
    item: ConsiderationEntry,
    block: Block,
    known: dict[str, AuthOptionEntry],
    seen: set[tuple[str, str]],
) -> bool:
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
    for title in bullets:
        option = _option(item, known, title)
        if (title, block.heading) not in seen:
            seen.add((title, block.heading))
            option.support.append(SupportEntry(block.heading, "supported"))
    return True


def _option(item: ConsiderationEntry, known: dict[str, AuthOptionEntry], title: str):
    option = known.get(title)
    if option is None:
        option = known[title] = AuthOptionEntry(title)
        item.options.append(option)
    return option


_TABLE_HEAD = re.compile(r"\|\s*Option\s*\|")
_TABLE_RULE = re.compile(r"\|(?:\s*:?-{3,}:?\s*\|)+")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _support_table(
    lines: list[Line],
    item: ConsiderationEntry,
    known: dict[str, AuthOptionEntry],
    seen: set[tuple[str, str]],
) -> list[Line]:
    """Read the option x scenario matrix the writer adds when the lists cannot say it all (notes,
    partial or no support); return the other lines."""
    start = next(
        (
            i
            for i, line in enumerate(lines[:-1])
            if not line.in_code
            and _TABLE_HEAD.match(line.text.strip())
            and _TABLE_RULE.fullmatch(lines[i + 1].text.strip())
        ),
        None,
    )
    if start is None:
        return lines
    end = start + 2
    while end < len(lines) and lines[end].text.strip().startswith("|"):
        end += 1
    rows = [_cells(line.text) for line in lines[start:end]]
    scenarios = rows[0][1:]
    cells = [_support_cell(text) for row in rows[2:] for text in row[1:]]
    if any(cell is None for cell in cells) or any(len(row) != len(rows[0]) for row in rows[2:]):
        return lines  # not ours: kept as written
    for row in rows[2:]:
        option = _option(item, known, row[0])
        for scenario, text in zip(scenarios, row[1:], strict=True):
            level, note = _support_cell(text) or ("unknown", "")
            if level != "unknown" or note:
                seen.add((option.title, scenario))
                option.support.append(SupportEntry(scenario, level, note))
    return [*lines[:start], *lines[end:]]


def _cells(row: str) -> list[str]:
    inner = row.strip().removeprefix("|").removesuffix("|")
    return [unescape(cell.strip()) for cell in _CELL_SPLIT.split(inner)]


def _support_cell(text: str) -> tuple[str, str] | None:
    for level, label in SUPPORT_CELLS.items():
        if text == label:
            return level, ""
        if text.startswith(f"{label}: "):
            return level, text[len(label) + 2 :]
    return None


def _as_see_also(found: list[RelationEntry]) -> list[RelationEntry]:
    return [RelationEntry("see_also", r.number, r.title, r.target) for r in found]


def _heading_and_body(block: Block) -> list[str]:
    return ["#" * block.level + " " + block.heading, block.body]


def is_todo_marker(text: str) -> bool:
    """`TODO`, `**TODO**`, `TODO:`, `_TBD._` … : a paragraph that only says "not done yet"."""
    return not text.strip() or _TODO_MARKER.fullmatch(text.strip()) is not None


def opens_with_todo(text: str) -> bool:
    return _TODO_OPENING.match(text.strip()) is not None


_TODO_MARKER = re.compile(r"[*_]{0,2}(?:TODO|TBD)[.:!]?[*_]{0,2}[.:!]?", re.I)
_TODO_OPENING = re.compile(r"[*_]{0,2}(?:TODO|TBD)[*_]{0,2}\s{0,3}:", re.I)


def related_decisions(reader: Reader, block: Block) -> None:
    """A list of relations is read as the page's relations (the writer lists them again);
    anything else stays as written."""
    if not sections.relation_list(reader, block):
        reader.keep_block(block)


SECTIONS: dict[str, Handler] = {
    **COMMON,
    "related decisions": related_decisions,
    "context and problem statement": context,
    "context": context,
    "common scenarios": scenarios,
    "considerations": considerations,
    "references": references,
    "decision drivers": madr.drivers,
    "decision outcome": madr.outcome,
}
