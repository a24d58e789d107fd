"""MADR 2, 3 and 4: drivers, considered options, outcome, pros and cons, links, more information.

Options are read from the Considered Options list (or their own headings there) and joined by
title with the Pros and Cons headings; the chosen option is named as its option is titled once
all are known (see `Reader`). Pros, cons and consequences are `* Good, because …` bullets.
"""

from __future__ import annotations

import re

from .. import criteria
from ..confirmation import split_confirmation
from ..record import Point, ReferenceEntry, RelationEntry, ScenarioEntry
from ..vocabulary import RELATION, relations_in
from .markdown import (
    Block,
    Line,
    bullet_items,
    heading_key,
    list_item_spans,
    list_items,
    strip_emphasis,
    subsections,
    text_of,
    title_key,
)
from .reader import Handler, Reader
from .sections import (
    COMMON,
    as_reference,
    reference_list,
    relation_list,
    without_placeholder,
)

# --------------------------------------------------------------------------------------------
# Decision drivers and considered options


def drivers(reader: Reader, block: Block) -> None:
    items = bullet_items(block.lines)
    if items is None:
        reader.warn("decision drivers are not a plain list; kept as a section", block.line)
        reader.keep_block(block)
    else:
        reader.rec.drivers = items
    reader.anchor = "drivers"


def options(reader: Reader, block: Block) -> None:
    intro, subs = subsections(block)
    texts = []
    for kind, text in list_items(intro):
        if kind == "item":
            title, _, description = text.partition("\n")
            scenario = ScenarioEntry(strip_emphasis(title), _dedent_all(description))
            reader.rec.scenarios.append(scenario)
        else:
            texts.append(text)
    for sub in subs:
        # `* Good, because …` under an option's own heading are its pros and cons.
        description, points = _description_and_points(sub.lines)
        reader.rec.scenarios.append(
            ScenarioEntry(strip_emphasis(sub.heading), description, "", points)
        )
    reader.rec.options_intro = "\n\n".join(texts)
    reader.anchor = "options"


def _dedent_all(text: str) -> str:
    lines = text.split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines).strip("\n")


# --------------------------------------------------------------------------------------------
# Decision outcome


def outcome(reader: Reader, block: Block) -> None:
    intro, subs = subsections(block)
    _chosen(reader, text_of(intro), block.line)
    reader.anchor = "outcome"
    for sub in subs:
        key = sub.key
        kind = {"positive consequences": "good", "negative consequences": "bad"}.get(key)
        points = _consequences(sub.lines, kind) if key.endswith("consequences") else None
        if points is not None and not reader.rec.consequences:
            reader.rec.consequences = points
        elif key == "confirmation" and not reader.rec.confirmation:
            # A closing checklist is the confirmation items (apps/formats/confirmation.py).
            reader.rec.confirmation, reader.rec.confirmation_items = split_confirmation(sub.body)
        elif points is not None and kind:
            reader.rec.consequences.extend(points)
        else:
            reader.keep_block(sub)


def _chosen(reader: Reader, text: str, line: int) -> None:
    text = without_placeholder(text)
    reader.outcome_text = text
    first, _, rest = text.partition("\n\n")
    match = re.match(r"^Chosen options?:?\s*(.*)$", first, re.S | re.I)
    if not match:
        reader.rec.rationale = text
        return
    chosen, after = _split_chosen(match.group(1))
    after = re.sub(r"^[,.;:]?\s*(?:because\b[ \t]*)?", "", after.strip(), flags=re.I)
    # Only blank lines go: an indented first line is a list item's continuation.
    parts = (after.strip(), rest.strip("\n").rstrip())
    reader.rec.rationale = "\n\n".join(part for part in parts if part)
    reader.rec.chosen = chosen
    reader.chosen_line = line


_QUOTED = re.compile(
    r'\s*(?:"([^"\n]+)"|“([^”\n]+)”|\*\*(.+?)\*\*|`([^`\n]+)`|\'([^\'\n]+)\'(?=[\s,.;:]|$))'
)


def _split_chosen(text: str) -> tuple[str, str]:
    """`"X", because Y` -> (X, ", because Y"); an unquoted name ends at `because` or the line."""
    if quoted := _QUOTED.match(text):
        return next(group for group in quoted.groups() if group), text[quoted.end() :]
    head, newline, tail = text.partition("\n")
    # One whitespace character before `because`, then the rest of the run and a comma by hand:
    # `,?\s+because` would scan a long run of spaces again from each of its characters.
    if because := re.search(r"\sbecause\b", head, re.I):
        start = len(head[: because.start()].rstrip())
        start -= head[:start].endswith(",")
        return head[:start].strip(), head[start:] + newline + tail
    return head.strip().rstrip(","), tail


# --------------------------------------------------------------------------------------------
# Pros and cons


def pros_cons(reader: Reader, block: Block) -> None:
    intro, subs = subsections(block)
    reader.anchor = "pros_cons"
    if text_of(intro):
        reader.keep("", text_of(intro), 0)
    options = _Options(reader)
    for sub in subs:
        if read_criteria(reader, sub):
            continue
        scenario = options.claim(sub.heading)
        description, points = _description_and_points(sub.lines)
        scenario.points.extend(points)
        if description:
            joined = (scenario.description, description)
            scenario.description = "\n\n".join(part for part in joined if part)


def read_criteria(reader: Reader, sub: Block) -> bool:
    """Adroit's "Weighted Criteria" tables (`criteria.to_markdown`), unless an option has that
    title or the tables are not exactly those: then the heading stays an option's."""
    titles = [s.title for s in reader.rec.scenarios]
    if sub.key != heading_key(criteria.HEADING) or criteria.HEADING in titles:
        return False
    found = criteria.from_markdown(text_of(sub.lines), titles)
    if found is None:
        return False
    reader.rec.answers, reader.rec.criteria = found
    return True


class _Options:
    """The options a pros-and-cons heading can be about, by title and by title key.

    Dictionaries keep matching near-linear: 2,000 options once took minutes when every heading
    scanned every option and every heading before it.
    """

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.claimed: set[int] = set()
        self.by_title: dict[str, list[ScenarioEntry]] = {}
        self.by_key: dict[str, list[ScenarioEntry]] = {}
        # Per list, how many leading options are claimed already (claims only ever grow).
        self.skip: dict[int, int] = {}
        for scenario in reader.rec.scenarios:
            self._index(scenario)

    def _index(self, scenario: ScenarioEntry) -> None:
        self.by_title.setdefault(scenario.title, []).append(scenario)
        self.by_key.setdefault(title_key(scenario.title), []).append(scenario)

    def _first_free(self, found: list[ScenarioEntry]) -> ScenarioEntry | None:
        start = self.skip.get(id(found), 0)
        while start < len(found) and id(found[start]) in self.claimed:
            start += 1
        self.skip[id(found)] = start
        return found[start] if start < len(found) else None

    def claim(self, title: str) -> ScenarioEntry:
        """The option a heading is about: the same title first, then the same words; one not
        yet described first, as options may share a title (`Pros and Cons`)."""
        key, plain = title_key(title), strip_emphasis(title)
        same = (self.by_title.get(plain, []), self.by_key.get(key, []))
        found = next((s for s in map(self._first_free, same) if s), None)
        found = found or next((s[0] for s in same if s), None)
        if found is None:
            found = ScenarioEntry(plain)
            self.reader.rec.scenarios.append(found)
            self._index(found)
        self.claimed.add(id(found))
        return found


_POINT = re.compile(r"^(Good|Neutral|Bad)\b[,:]?\s*(?:because\b\s*)?(.*)$", re.S | re.I)


def _consequences(lines: list[Line], kind: str | None) -> list[Point] | None:
    """Consequence bullets as points; None when the body is not only such bullets."""
    items = bullet_items(lines)
    if items is None:
        return None
    points = []
    for item in items:
        match = _POINT.match(item)
        if match:
            points.append(Point(match.group(1).lower(), match.group(2).strip()))
        elif kind:
            points.append(Point(kind, item))
        else:
            return None
    return points


def _description_and_points(lines: list[Line]) -> tuple[str, list[Point]]:
    """`* Good, because …` items as points; every other line stays as the source wrote it."""
    points: list[Point] = []
    kept: list[Line] = []
    for kind, text, span in list_item_spans(lines):
        match = _POINT.match(text) if kind == "item" else None
        if match:
            points.append(Point(match.group(1).lower(), match.group(2).strip()))
        else:
            kept.extend(span)
    return text_of(kept), points


# --------------------------------------------------------------------------------------------
# Links and more information


def links(reader: Reader, block: Block) -> None:
    items = bullet_items(block.lines)
    relations: list[RelationEntry] = []
    references: list[ReferenceEntry] = []
    for item in items or []:
        if (found := relations_in(item)) and RELATION.fullmatch(item.strip()):
            relations.extend(found)
        elif reference := as_reference(item):
            references.append(reference)
        else:
            items = None
            break
    if items is None:
        reader.keep_block(block)
        return
    reader.rec.relations.extend(relations)
    reader.rec.references.extend(references)


def more_information(reader: Reader, block: Block) -> None:
    """Its own text and what is not ours stay free; our Related Decisions and References
    lists (`* Supersedes [ADR-0003: Use MySQL](…)`, `* [title](url)`) are read back."""
    intro, subs = subsections(block)
    reader.anchor = "more_information"
    if text_of(intro):
        reader.keep("", text_of(intro), 0)
    for sub in subs:
        if sub.key == "related decisions" and relation_list(reader, sub):
            continue
        if sub.key == "references" and reference_list(reader, sub):
            continue
        reader.keep_block(sub)


SECTIONS: dict[str, Handler] = {
    **COMMON,
    "decision drivers": drivers,
    "considered options": options,
    "decision outcome": outcome,
    "pros and cons of the options": pros_cons,
    "more information": more_information,
    "decision": outcome,
    "links": links,
}
