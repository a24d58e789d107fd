"""The reader every dialect shares: title, number, front matter, metadata lines, status.

A `Reader` walks a parsed document's top-level blocks and hands each to the section function its
dialect names for that heading (see `SECTIONS` in each dialect's module); a heading with none,
or one seen before, is kept as a free section. Section functions fill `reader.rec` and keep what
they cannot place with `reader.keep`, after `reader.anchor`, the last modelled section.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from ..record import Record, RelationEntry, SectionEntry
from ..vocabulary import (
    BEFORE_TITLE,
    FRONT_MATTER,
    as_text,
    canonical_status,
    front_matter_fields,
    madr_front_matter,
    normalise_date,
    normalise_status,
    number_from_name,
    relations_in,
    status_from_folder,
    status_word,
)
from .document import Document
from .markdown import (
    BULLET,
    Block,
    Line,
    best_option,
    has_comment,
    mdx_imports,
    strip_emphasis,
    text_of,
    title_key,
    unescape,
)

# `SourceFile.status_text` holds at most this many characters.
STATUS_TEXT_MAX = 200

# --------------------------------------------------------------------------------------------
# Metadata lines under the title

_META_KEYS = {
    "status": "status",
    "date": "date",
    "deciders": "deciders",
    "decision-makers": "deciders",
    "decision makers": "deciders",
    "consulted": "consulted",
    "informed": "informed",
    "introduced": "introduced",
    "updated": "updated",
    "last updated": "updated",
    "tags": "tags",
    "review by": "review_by",
    "review-by": "review_by",
}
_META = re.compile(
    r"^(?P<bullet>[*-]\s+)?(?P<open>\*\*|__)?(?P<key>[A-Za-z][A-Za-z -]{1,30}?)(?P=open)?\s*:"
    r"(?:\*\*|__)?\s*(?P<value>.*)$"
)


@dataclass
class _Meta:
    key: str  # one of _META_KEYS' values
    label: str  # as written, for the level-0 section that keeps a raw value
    value: str
    lines: list[Line]
    items: list[str] = field(default_factory=list)


def _meta_lines(lines: list[Line]) -> tuple[list[_Meta], list[Line]]:
    """Pick `Status:`, `* Date:` … lines out of the preamble; return them and the rest."""
    metas: list[_Meta] = []
    rest: list[Line] = []
    for line in lines:
        match = None if line.in_code else _META.match(line.text)
        key = _META_KEYS.get(match.group("key").strip().lower()) if match else None
        nested = BULLET.match(line.text.strip()) if line.text[:1] in (" ", "\t") else None
        if match and key:
            label, value = match.group("key").strip(), match.group("value").strip()
            metas.append(_Meta(key, label, value, [line]))
        elif (
            nested
            and metas
            and metas[-1].lines[-1].no == line.no - 1
            and (not metas[-1].value or metas[-1].items)
        ):
            # `* Deciders:` followed by nested bullets, one person each.
            metas[-1].items.append(nested.group(4).strip())
            metas[-1].lines.append(line)
        else:
            rest.append(line)
    return metas, rest


# --------------------------------------------------------------------------------------------
# The reader


class Reader:
    def __init__(self, doc: Document, filename: str, sections: Mapping[str, Handler]) -> None:
        self.doc = doc
        self.filename = filename
        self.sections = sections
        self.warnings = list(doc.warnings)
        self.anchor = "start"
        self.seen: set[str] = set()
        self.rec = Record(title="")
        self.status_found = False
        self.chosen_line: int | None = None
        # The Decision Outcome's opening text as written, kept when its chosen option is none of
        # the options.
        self.outcome_text = ""

    # -- top level

    def record(self) -> Record:
        self._title_and_number()
        self._front_matter()
        self._preamble()
        for block in self.doc.blocks:
            self._block(block)
        self._finish_status()
        self._resolve_chosen()
        if not self.rec.chosen:
            self.rec.unstated.append("outcome")
        # The same link said twice (front matter and body) is one relation.
        seen: set[tuple] = set()
        unique: list[RelationEntry] = []
        for relation in self.rec.relations:
            key = (relation.kind, relation.number, relation.title, relation.target)
            if key not in seen:
                seen.add(key)
                unique.append(relation)
        self.rec.relations = unique
        return self.rec

    def warn(self, message: str, line: int | None = None) -> None:
        self.warnings.append(f"line {line}: {message}" if line else message)

    def keep(self, heading: str, body: str, level: int, after: str | None = None) -> None:
        if heading or body:
            self.rec.sections.append(SectionEntry(heading, body, after or self.anchor, level))

    def keep_block(self, block: Block) -> None:
        self.keep(block.heading, block.body, block.level)

    # -- title, number, front matter

    def _title_and_number(self) -> None:
        name = PurePath(self.filename).name
        heading = self.doc.h1_text
        number = None
        if match := re.match(r"^Architecture Decision Record(?:\s+(\d+))?\s*:\s*(.*)$", heading):
            number = int(match.group(1)) if match.group(1) else None
            heading = match.group(2)
        elif match := re.match(r"^(?:ADR[- ]?)?(\d{1,5})[.:]\s+(.*)$", heading, re.I):
            number, heading = int(match.group(1)), match.group(2)
        from_name = number_from_name(name)
        # The file name first: it is what links and the folder's order go by (`0033-ip-ranges.md`
        # titled `# 3. Networking Outline` is 33, not a second 3).
        if number is not None and from_name is not None and number != from_name:
            self.warn(f"title says number {number}, file name says {from_name}; kept {from_name}")
        self.rec.number = from_name if from_name is not None else number
        if number is not None and from_name is not None and number != from_name:
            self.rec.title_number = number
        self.rec.title = unescape(heading.strip())
        if not self.rec.title:
            self.rec.title = as_text(self.doc.front.get("title"))
        if not self.rec.title:
            slug = re.sub(r"^(?:adr[-_]?)?\d+[-_]", "", PurePath(name).stem, flags=re.I)
            self.rec.title = slug.replace("-", " ").replace("_", " ").strip().capitalize() or name
            self.warn("no title in the file; made one from the file name")

    def _front_matter(self) -> None:
        doc = self.doc
        if doc.front_raw is None:
            return
        fields = front_matter_fields(doc.front)
        # Front matter exactly as the MADR writer writes it says nothing the fields do not.
        if f"---\n{doc.front_raw}\n---" != madr_front_matter(fields):
            self.keep(FRONT_MATTER, doc.front_raw, 0)
        if "status" in fields:
            self.set_status(fields["status_text"], None)
            self.rec.relations.extend(relations_in(fields["status_text"]))
        for name in ("date", "review_by", "decision_makers", "consulted", "informed", "tags"):
            if name in fields:
                setattr(self.rec, name, fields[name])

    # -- the lines between the title and the first section

    def _preamble(self) -> None:
        self.rec.title_heading = self.doc.has_h1
        preamble = self.doc.preamble
        if text_of(self.doc.before_h1):
            self.keep(BEFORE_TITLE, text_of(self.doc.before_h1), 0)
        elif not self.doc.has_h1 and (imports := mdx_imports(preamble)):
            # MDX `import` lines at the top of a page without an H1 sit where an H1 would follow
            # them: kept there, so they come back on export and are not text on the page.
            self.keep(BEFORE_TITLE, text_of(preamble[:imports]), 0)
            preamble = preamble[imports:]
        metas, rest = _meta_lines(preamble)
        for meta in metas:
            self._meta(meta)
        self.keep("", text_of(rest), 0)

    def _meta(self, meta: _Meta) -> None:
        raw = text_of(meta.lines)
        if meta.key == "status":
            self.set_status(meta.value, meta.lines[0].no)
            self.rec.relations.extend(relations_in(meta.value))
            if not canonical_status(meta.value, self.rec.status):
                self.keep("Status", raw, 0)
            return
        if meta.key in ("date", "updated", "introduced"):
            self._meta_date(meta, raw)
            return
        if meta.key == "review_by":
            day = normalise_date(meta.value)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                self.rec.review_by = day
            if day != meta.value or not self.rec.review_by:
                self.keep(meta.label, raw, 0)
            return
        values = meta.items or [v.strip() for v in meta.value.split(",") if v.strip()]
        # Names are written escaped for Markdown (writers.escape_inline).
        values = [unescape(v) for v in values]
        target = {
            "deciders": self.rec.decision_makers,
            "consulted": self.rec.consulted,
            "informed": self.rec.informed,
            "tags": self.rec.tags,
        }[meta.key]
        if not target:
            target.extend(values)
        if meta.items or ", ".join(values) != meta.value:
            self.keep(meta.label, raw, 0)

    def _meta_date(self, meta: _Meta, raw: str) -> None:
        value = normalise_date(meta.value)
        # `Updated:` is the later date, so it wins over `Introduced:`.
        if meta.key == "updated" or not self.rec.date or meta.key == "date":
            self.rec.date = value
        if meta.key != "date" or value != meta.value:
            self.keep(meta.label, raw, 0)

    # -- status

    def set_status(self, raw: str, line: int | None) -> None:
        status = normalise_status(raw)
        if self.status_found and status is None:
            return
        self.status_found = True
        # As written, to show beside the status it maps to; one line, as short as a field holds.
        self.rec.status_text = " ".join(strip_emphasis(raw).split())[:STATUS_TEXT_MAX]
        if status is None:
            self.warn(f"status {raw.strip()!r} not recognised; read as draft", line)
            status = "draft"
        self.rec.status = status

    def _finish_status(self) -> None:
        if self.status_found:
            return
        self.rec.unstated.append("status")
        # No status line, but a tag in the title (`ADR013: [superseded] …`), a callout under it
        # (`:::warning Rejected!`) or the folder (`accepted/0003-x.md`) may still say one.
        said = _status_tag(self.rec.title) or _status_callout(self.doc.preamble)
        if said:
            self.rec.status, self.rec.status_text = said
            return
        if folder := status_from_folder(self.filename):
            self.rec.status = folder
            return
        self.warn("no status in the file; read as draft")
        self.rec.status = "draft"

    # -- sections

    def _block(self, block: Block) -> None:
        handler = self.sections.get(block.key)
        if handler is None or block.key in self.seen:
            if handler is not None:
                self.warn(f"second {block.heading!r} section kept as free text", block.line)
            self.keep_block(block)
            return
        self.seen.add(block.key)
        if has_comment(block.heading):
            self.warn(f"comment in heading {block.heading!r} not kept", block.line)
        handler(self, block)

    def _resolve_chosen(self) -> None:
        """Name the chosen option as its option is titled, once every option is known; keep an
        outcome that names none of them as written."""
        chosen = self.rec.chosen
        if not chosen:
            return
        match = best_option(chosen, [scenario.title for scenario in self.rec.scenarios])
        if match is not None:
            self.rec.chosen = match
            if title_key(chosen) != title_key(match):
                self.rec.chosen_text = chosen
            return
        if self.rec.scenarios:
            self.warn(
                f"chosen option {chosen!r} is not one of the considered options; "
                "the outcome is kept as written",
                self.chosen_line,
            )
        self.rec.chosen = ""
        self.rec.rationale = self.outcome_text


_TITLE_TAG = re.compile(r"\[([A-Za-z][A-Za-z -]{0,30})\]")
_STATUS_CALLOUT = re.compile(r"\s{0,3}:::(?:note|info|tip|caution|warning|danger)[ \t]+(.{1,60})")


def _status_tag(title: str) -> tuple[str, str] | None:
    """`[superseded] Use X`: the status a bracketed word opening the title names."""
    match = _TITLE_TAG.match(title)
    status = status_word(match.group(1)) if match else None
    return (status, match.group(1)) if status and match else None


def _status_callout(lines: list[Line]) -> tuple[str, str] | None:
    """`:::note Superseded` or `:::warning Rejected!` under the title: a callout titled by a
    status word."""
    for line in lines:
        match = None if line.in_code else _STATUS_CALLOUT.fullmatch(line.text.rstrip())
        words = match.group(1).strip(" !.*_") if match else ""
        status = (status_word(words) or status_word(words.split(" ")[0])) if words else None
        if status:
            return status, words
    return None


# A section function: reads one top-level block of the heading it is registered under.
Handler = Callable[[Reader, Block], None]
