"""Read ADR Markdown files into `Record`s.

Formats: MADR 2/3/4 (`madr`), Nygard/adr-tools and its variants (`nygard`), log4brains
(`log4brains`) and the "Decide on …" pages (`decide-on`). Pure Python on purpose: the importer,
the command line and the tests use it without Django.

Two rules shape everything here:

* Nothing is lost. What maps onto a structured field goes there; everything else is kept as a
  free `Section` at its place among the modelled sections. A section whose shape is not the
  expected one is kept whole rather than half-understood.
* Level-0 sections hold source text that is not under a Markdown heading: text before the first
  section (heading ""), the raw YAML front matter (heading "Front matter"), and metadata values
  the structured fields cannot reproduce exactly (heading "Status", "Date", "Deciders", …), such
  as `Accepted.` or `Dec 19, 2022`. A writer for the same format can write those back verbatim.

Status: recognised words are normalised (see `normalise_status`); a file that says nothing about
status is read as "draft", and so is a status we cannot place (`on hold`, `experimental`), with a
warning. The original text is always kept (front matter, or a "Status" section).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

import yaml

from .record import (
    AuthOptionEntry,
    ConsiderationEntry,
    Point,
    Record,
    ReferenceEntry,
    RelationEntry,
    ScenarioEntry,
    SectionEntry,
    SupportEntry,
)
from .vocabulary import (
    BEFORE_TITLE,
    DATE_SLUG,
    FRONT_MATTER,
    NO_OUTCOME,
    RELATION,
    as_text,
    canonical_status,
    front_matter_fields,
    madr_front_matter,
    normalise_date,
    normalise_status,
    number_from_name,
    relations_in,
)

FORMATS = ("madr", "nygard", "log4brains", "decide-on")


class ReadError(ValueError):
    """A file that cannot be read as an ADR; the message names the file and, if known, the line."""

    def __init__(self, message: str, filename: str, line: int | None = None) -> None:
        self.filename = filename
        self.line = line
        where = f"{filename}, line {line}" if line is not None else filename
        super().__init__(f"{where}: {message}")


@dataclass
class ReadResult:
    record: Record
    format: str
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Entry points


def read_bytes(data: bytes, filename: str, format: str = "auto") -> ReadResult:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReadError(f"not UTF-8 (invalid byte at offset {exc.start})", filename, line) from exc
    return read(text, filename, format)


def read(text: str, filename: str, format: str = "auto") -> ReadResult:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ReadError("the file is empty", filename)
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    doc = _parse_document(text, filename)
    chosen = format if format != "auto" else _detect(doc, filename)
    reader = _Reader(doc, filename, chosen)
    return ReadResult(record=reader.record(), format=chosen, warnings=reader.warnings)


def detect_format(text: str, filename: str) -> str:
    text = text.removeprefix("\ufeff")
    return _detect(_parse_document(text, filename), filename)


# --------------------------------------------------------------------------------------------
# Lines, code fences and headings

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass
class _Line:
    no: int  # 1-based line number in the file
    text: str
    in_code: bool = False

    def heading(self) -> tuple[int, str] | None:
        if self.in_code:
            return None
        match = _HEADING.match(self.text)
        if not match:
            return None
        return len(match.group(1)), (match.group(2) or "").strip()


def _mark_code(lines: list[_Line]) -> None:
    """Flag lines inside fenced code so that nothing in them is read as structure."""
    fence = ""
    for line in lines:
        match = _FENCE.match(line.text)
        if fence:
            line.in_code = True
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                if not line.text.strip().strip(fence[0]):
                    fence = ""
        elif match:
            fence = match.group(1)
            line.in_code = True


def _text(lines: Iterable[_Line]) -> str:
    """Join lines, dropping blank lines at both ends (including whitespace-only ones)."""
    texts = [line.text for line in lines]
    while texts and not texts[0].strip():
        texts.pop(0)
    while texts and not texts[-1].strip():
        texts.pop()
    return "\n".join(texts)


@dataclass
class _Block:
    heading: str
    level: int
    line: int
    lines: list[_Line]

    @property
    def key(self) -> str:
        return _heading_key(self.heading)

    @property
    def body(self) -> str:
        return _text(self.lines)


def _heading_key(heading: str) -> str:
    """The heading as a lookup key: no comments, emphasis, trailing colon, or case."""
    key = _COMMENT.sub("", heading).replace("**", "").replace("__", "")
    return re.sub(r"\s+", " ", key).strip().rstrip(":").strip().lower()


def _split(lines: list[_Line], max_level: int) -> tuple[list[_Line], list[_Block]]:
    """Split at headings of level <= max_level: (lines before the first one, blocks)."""
    intro: list[_Line] = []
    blocks: list[_Block] = []
    for line in lines:
        found = line.heading()
        if found and found[0] <= max_level:
            blocks.append(_Block(found[1], found[0], line.no, []))
        elif blocks:
            blocks[-1].lines.append(line)
        else:
            intro.append(line)
    return intro, blocks


def _subsections(block: _Block) -> tuple[list[_Line], list[_Block]]:
    """A block's own text and its direct subsections (deeper headings stay inside them)."""
    levels = [found[0] for line in block.lines if (found := line.heading())]
    deeper = [level for level in levels if level > block.level]
    # Subsections are the shallowest headings below the block's own (an H1 block may use H3).
    return _split(block.lines, min(deeper)) if deeper else (block.lines, [])


# --------------------------------------------------------------------------------------------
# The document: front matter, title line, preamble and top-level blocks


@dataclass
class _Document:
    front_raw: str | None = None
    front: dict = field(default_factory=dict)
    front_line: int = 1
    h1: _Line | None = None
    h1_text: str = ""
    before_h1: list[_Line] = field(default_factory=list)
    preamble: list[_Line] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _parse_document(text: str, filename: str) -> _Document:
    doc = _Document()
    raw_lines = text.split("\n")
    start = _read_front_matter(raw_lines, filename, doc)
    lines = [_Line(no, value) for no, value in enumerate(raw_lines[start:], start=start + 1)]
    _mark_code(lines)
    preamble, doc.blocks = _split(lines, 2)
    # The title is the first H1 before any H2; a later H1 is an ordinary (level 1) section.
    if doc.blocks and doc.blocks[0].level == 1:
        first = doc.blocks.pop(0)
        doc.h1 = _Line(first.line, first.heading)
        doc.h1_text = first.heading
        doc.before_h1 = preamble
        doc.preamble = first.lines
    else:
        doc.preamble = preamble
    return doc


def _read_front_matter(lines: list[str], filename: str, doc: _Document) -> int:
    """Parse a leading `---` YAML block; returns the index of the first body line."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        # 18F: a lone `---` opens nothing. The line stays in the body as a thematic break.
        doc.warnings.append("line 1: front matter fence never closes; read as body text")
        return 0
    raw = "\n".join(lines[1:end])
    try:
        # BaseLoader keeps every scalar a string: no octal `0042`, no Date objects.
        data = yaml.load(raw, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ReadError(f"broken YAML front matter: {problem}", filename, line) from exc
    doc.front_raw = raw
    if isinstance(data, dict):
        doc.front = data
    elif data is not None:
        doc.warnings.append("front matter is not a key: value mapping; kept as text")
    return end + 1


# --------------------------------------------------------------------------------------------
# Format detection


def _detect(doc: _Document, filename: str) -> str:
    name = PurePath(filename).name.lower()
    keys = {block.key for block in doc.blocks}
    title = str(doc.front.get("title", "")).strip().lower()
    if name.startswith("decide-on") or title.startswith("decide on") or "common scenarios" in keys:
        return "decide-on"
    preamble = "\n".join(line.text for line in doc.preamble if not line.in_code)
    dash_status = re.search(r"^- Status:", preamble, re.M) is not None
    if DATE_SLUG.match(name) or (dash_status and "links" in keys and not doc.front_raw):
        return "log4brains"
    nygardish = "status" in keys or {"context", "decision"} <= keys
    if nygardish or doc.h1_text.lower().startswith("architecture decision record"):
        return "nygard"
    return "madr"


# --------------------------------------------------------------------------------------------
# Small text helpers

_BULLET = re.compile(r"^( {0,3})([*+-]|\d{1,3}[.)])([ \t]+)(.*)$")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)>\s]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_ESCAPE = re.compile(r"\\([<>_*\[\]#|\\])")


def _items(lines: list[_Line]) -> list[tuple[str, str]]:
    """A list of ("item", text) for top-level bullets and ("text", text) for anything else.

    Continuation and nested lines belong to the item above them, dedented to its content.
    """
    return [(kind, text) for kind, text, _ in _item_spans(lines)]


def _item_spans(lines: list[_Line]) -> list[tuple[str, str, list[_Line]]]:
    """`_items`, each with the source lines it came from (blank lines after it included)."""
    parts: list[tuple[str, list[str], list[_Line]]] = []
    indent = 0
    blank = False
    leading: list[_Line] = []
    for line in lines:
        match = None if line.in_code else _BULLET.match(line.text)
        if not line.text.strip():
            blank = True
            if parts:
                parts[-1][1].append("")
                parts[-1][2].append(line)
            else:
                leading.append(line)
            continue
        if match and (not parts or parts[-1][0] != "item" or len(match.group(1)) < indent):
            indent = len(match.group(1)) + 1 + len(match.group(3))
            parts.append(("item", [match.group(4)], [line]))
        elif parts and parts[-1][0] == "item" and _continues(line.text, indent, blank):
            parts[-1][1].append(_dedent(line.text, indent))
            parts[-1][2].append(line)
        elif parts and parts[-1][0] == "text":
            parts[-1][1].append(line.text)
            parts[-1][2].append(line)
        else:
            parts.append(("text", [line.text], [line]))
        blank = False
    return [(kind, "\n".join(texts).strip("\n").rstrip(), span) for kind, texts, span in parts]


def _continues(text: str, indent: int, after_blank: bool) -> bool:
    leading = len(text) - len(text.lstrip(" \t"))
    if text.startswith("\t") or leading >= min(indent, 2):
        return True
    # A lazy continuation line right under the item, without indentation.
    return not after_blank and not _BULLET.match(text)


def _dedent(text: str, indent: int) -> str:
    if text.startswith("\t"):
        return text[1:]
    leading = len(text) - len(text.lstrip(" "))
    return text[min(leading, indent) :]


def _bullets(lines: list[_Line]) -> list[str] | None:
    """The items of a body that is only a bullet list, else None."""
    parts = _items(lines)
    if not parts or any(kind != "item" for kind, _ in parts):
        return None
    return [text for _, text in parts]


def _strip_emphasis(text: str) -> str:
    text = text.strip()
    for mark in ("**", "__"):
        if len(text) > 4 and text.startswith(mark) and text.endswith(mark):
            text = text[2:-2].strip()
    return text


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def _title_key(text: str) -> str:
    text = _LINK.sub(r"\1", _strip_emphasis(_unescape(text))).replace("`", "")
    text = text.strip().strip("\"'“”‘’")
    return re.sub(r"\s+", " ", text).strip().rstrip(".").lower()


def _same_option(chosen: str, title: str) -> bool:
    """Whether a "Chosen option" names this option: the same text, or its name before a gloss
    (`MADR 4.0.0` for `[MADR](…) 4.0.0 – The Markdown Architectural Decision Records`)."""
    chosen_key, title_key = _title_key(chosen), _title_key(title)
    if chosen_key == title_key:
        return True
    rest = title_key.removeprefix(chosen_key)
    glossed = re.match(r"^\s*(?:[-–—:(,]|$)", rest) is not None
    return bool(chosen_key) and rest != title_key and glossed


# --------------------------------------------------------------------------------------------
# Status, dates and relations


# --------------------------------------------------------------------------------------------
# Front matter


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
    lines: list[_Line]
    items: list[str] = field(default_factory=list)


def _meta_lines(lines: list[_Line]) -> tuple[list[_Meta], list[_Line]]:
    """Pick `Status:`, `* Date:` … lines out of the preamble; return them and the rest."""
    metas: list[_Meta] = []
    rest: list[_Line] = []
    for line in lines:
        match = None if line.in_code else _META.match(line.text)
        key = _META_KEYS.get(match.group("key").strip().lower()) if match else None
        nested = _BULLET.match(line.text.strip()) if line.text[:1] in (" ", "\t") else None
        if match and key:
            label, value = match.group("key").strip(), match.group("value").strip()
            metas.append(_Meta(key, label, value, [line]))
        elif nested and metas and metas[-1].lines[-1].no == line.no - 1 and not metas[-1].value:
            # `* Deciders:` followed by nested bullets, one person each.
            metas[-1].items.append(nested.group(4).strip())
            metas[-1].lines.append(line)
        elif nested and metas and metas[-1].items and metas[-1].lines[-1].no == line.no - 1:
            metas[-1].items.append(nested.group(4).strip())
            metas[-1].lines.append(line)
        else:
            rest.append(line)
    return metas, rest


# --------------------------------------------------------------------------------------------
# The reader


class _Reader:
    def __init__(self, doc: _Document, filename: str, format: str) -> None:
        self.doc = doc
        self.filename = filename
        self.format = format
        self.warnings = list(doc.warnings)
        self.anchor = "start"
        self.seen: set[str] = set()
        self.rec = Record(title="")
        self.status_found = False
        self.chosen_line: int | None = None

    # -- top level

    def record(self) -> Record:
        self._title_and_number()
        self._front_matter()
        self._preamble()
        for block in self.doc.blocks:
            self._block(block)
        self._finish_status()
        self._resolve_chosen()
        # The same link said twice (front matter and body) is one relation.
        unique: list[RelationEntry] = []
        for relation in self.rec.relations:
            if relation not in unique:
                unique.append(relation)
        self.rec.relations = unique
        return self.rec

    def warn(self, message: str, line: int | None = None) -> None:
        self.warnings.append(f"line {line}: {message}" if line else message)

    def keep(self, heading: str, body: str, level: int, after: str | None = None) -> None:
        if heading or body:
            self.rec.sections.append(SectionEntry(heading, body, after or self.anchor, level))

    def keep_block(self, block: _Block) -> None:
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
        if number is not None and from_name is not None and number != from_name:
            self.warn(f"title says number {number}, file name says {from_name}; kept {number}")
        self.rec.number = number if number is not None else from_name
        self.rec.title = _unescape(heading.strip())
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
            self._set_status(fields["status_text"], None)
            self.rec.relations.extend(relations_in(fields["status_text"]))
        for name in ("date", "decision_makers", "consulted", "informed", "tags"):
            if name in fields:
                setattr(self.rec, name, fields[name])

    # -- the lines between the title and the first section

    def _preamble(self) -> None:
        if _text(self.doc.before_h1):
            self.keep(BEFORE_TITLE, _text(self.doc.before_h1), 0)
        metas, rest = _meta_lines(self.doc.preamble)
        for meta in metas:
            self._meta(meta)
        self.keep("", _text(rest), 0)

    def _meta(self, meta: _Meta) -> None:
        raw = _text(meta.lines)
        if meta.key == "status":
            self._set_status(meta.value, meta.lines[0].no)
            self.rec.relations.extend(relations_in(meta.value))
            if not canonical_status(meta.value, self.rec.status):
                self.keep("Status", raw, 0)
            return
        if meta.key in ("date", "updated", "introduced"):
            self._meta_date(meta, raw)
            return
        values = meta.items or [v.strip() for v in meta.value.split(",") if v.strip()]
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

    def _set_status(self, raw: str, line: int | None) -> None:
        status = normalise_status(raw)
        if self.status_found and status is None:
            return
        self.status_found = True
        if status is None:
            self.warn(f"status {raw.strip()!r} not recognised; read as draft", line)
            status = "draft"
        self.rec.status = status

    def _finish_status(self) -> None:
        if not self.status_found:
            self.warn("no status in the file; read as draft")
            self.rec.status = "draft"

    # -- sections

    def _block(self, block: _Block) -> None:
        handler = self._handler(block.key)
        if handler is None or block.key in self.seen:
            if handler is not None:
                self.warn(f"second {block.heading!r} section kept as free text", block.line)
            self.keep_block(block)
            return
        self.seen.add(block.key)
        if _COMMENT.search(block.heading):
            self.warn(f"comment in heading {block.heading!r} not kept", block.line)
        handler(block)

    def _handler(self, key: str) -> Callable[[_Block], None] | None:
        common: dict[str, Callable[[_Block], None]] = {
            "status": self._status_block,
            "context and problem statement": self._context,
            "context": self._context,
        }
        madr = {
            "decision drivers": self._drivers,
            "considered options": self._options,
            "decision outcome": self._outcome,
            "pros and cons of the options": self._pros_cons,
            "more information": self._more_information,
        }
        by_format: dict[str, dict[str, Callable[[_Block], None]]] = {
            "nygard": {
                "decision": self._decision,
                "related decisions": self._related_decisions,
                "references": self._references,
            },
            "madr": {**madr, "decision": self._outcome, "links": self._links},
            "log4brains": {**madr, "decision": self._outcome, "links": self._links},
            "decide-on": {
                "common scenarios": self._scenarios,
                "considerations": self._considerations,
                "references": self._references,
                "decision drivers": self._drivers,
                "decision outcome": self._outcome,
            },
        }
        return {**common, **by_format[self.format]}.get(key)

    def _status_block(self, block: _Block) -> None:
        body = block.body
        # A `---` thematic break after the status word is layout, not status (Brighter).
        first = next((ln.text for ln in block.lines if ln.text.strip() not in ("", "---")), "")
        self._set_status(_strip_emphasis(first.strip()), block.line)
        self.rec.relations.extend(relations_in(body))
        if not canonical_status(body, self.rec.status):
            self.keep(block.heading, body, block.level)

    def _context(self, block: _Block) -> None:
        intro, subs = _subsections(block)
        overview = next((s for s in subs if s.key == "overview"), None)
        if self.format == "decide-on" and overview is not None:
            self.rec.context = _text(intro)
            self.rec.overview = overview.body
            rest = [line for sub in subs if sub is not overview for line in self._lines_of(sub)]
            if rest:
                self.rec.overview = "\n\n".join([overview.body, _text(rest)])
        else:
            self.rec.context = block.body
        self.anchor = "context"

    @staticmethod
    def _lines_of(block: _Block) -> list[_Line]:
        heading = _Line(block.line, "#" * block.level + " " + block.heading)
        return [heading, *block.lines]

    def _drivers(self, block: _Block) -> None:
        items = _bullets(block.lines)
        if items is None:
            self.warn("decision drivers are not a plain list; kept as a section", block.line)
            self.keep_block(block)
        else:
            self.rec.drivers = items
        self.anchor = "drivers"

    def _options(self, block: _Block) -> None:
        intro, subs = _subsections(block)
        texts = []
        for kind, text in _items(intro):
            if kind == "item":
                title, _, description = text.partition("\n")
                scenario = ScenarioEntry(_strip_emphasis(title), _dedent_all(description))
                self.rec.scenarios.append(scenario)
            else:
                texts.append(text)
        for sub in subs:
            # `* Good, because …` under an option's own heading are its pros and cons.
            description, points = _description_and_points(sub.lines)
            self.rec.scenarios.append(
                ScenarioEntry(_strip_emphasis(sub.heading), description, "", points)
            )
        self.rec.options_intro = "\n\n".join(texts)
        self.anchor = "options"

    def _scenario(self, title: str, claimed: list[ScenarioEntry]) -> ScenarioEntry:
        """The option a pros-and-cons heading is about: the same title first, then the same
        words; one not yet described first, as options may share a title (`Pros and Cons`)."""
        key, plain = _title_key(title), _strip_emphasis(title)
        free = [s for s in self.rec.scenarios if not any(s is c for c in claimed)]
        for pool in (free, self.rec.scenarios):
            for same in (lambda s: s.title == plain, lambda s: _title_key(s.title) == key):
                if found := next((s for s in pool if same(s)), None):
                    return found
        scenario = ScenarioEntry(plain)
        self.rec.scenarios.append(scenario)
        return scenario

    def _outcome(self, block: _Block) -> None:
        intro, subs = _subsections(block)
        self._chosen(_text(intro), block.line)
        self.anchor = "outcome"
        for sub in subs:
            key = sub.key
            kind = {"positive consequences": "good", "negative consequences": "bad"}.get(key)
            points = _points(sub.lines, kind) if key.endswith("consequences") else None
            if points is not None and not self.rec.consequences:
                self.rec.consequences = points
            elif key == "confirmation" and not self.rec.confirmation:
                self.rec.confirmation = sub.body
            elif points is not None and kind:
                self.rec.consequences.extend(points)
            else:
                self.keep_block(sub)

    def _chosen(self, text: str, line: int) -> None:
        text = _without_placeholder(text)
        first, _, rest = text.partition("\n\n")
        match = re.match(r"^Chosen options?:?\s*(.*)$", first, re.S | re.I)
        if not match:
            self.rec.rationale = text
            return
        chosen, after = _split_chosen(match.group(1))
        after = re.sub(r"^[,.;:]?\s*(?:because\b[ \t]*)?", "", after.strip(), flags=re.I)
        # Only blank lines go: an indented first line is a list item's continuation.
        parts = (after.strip(), rest.strip("\n").rstrip())
        self.rec.rationale = "\n\n".join(part for part in parts if part)
        self.rec.chosen = chosen
        self.chosen_line = line

    def _resolve_chosen(self) -> None:
        """Name the chosen option as its option is titled, once every option is known."""
        chosen = self.rec.chosen
        for scenario in self.rec.scenarios:
            if _same_option(chosen, scenario.title):
                self.rec.chosen = scenario.title
                return
        if self.rec.scenarios and chosen:
            self.warn(
                f"chosen option {chosen!r} is not one of the considered options", self.chosen_line
            )

    def _pros_cons(self, block: _Block) -> None:
        intro, subs = _subsections(block)
        self.anchor = "pros_cons"
        if _text(intro):
            self.keep("", _text(intro), 0)
        claimed: list[ScenarioEntry] = []
        for sub in subs:
            scenario = self._scenario(sub.heading, claimed)
            claimed.append(scenario)
            description, points = _description_and_points(sub.lines)
            scenario.points.extend(points)
            if description:
                joined = (scenario.description, description)
                scenario.description = "\n\n".join(part for part in joined if part)

    def _decision(self, block: _Block) -> None:
        self.rec.rationale = _without_placeholder(block.body)
        self.anchor = "outcome"

    def _links(self, block: _Block) -> None:
        items = _bullets(block.lines)
        relations: list[RelationEntry] = []
        references: list[ReferenceEntry] = []
        for item in items or []:
            if (found := relations_in(item)) and RELATION.fullmatch(item.strip()):
                relations.extend(found)
            elif reference := _reference(item):
                references.append(reference)
            else:
                items = None
                break
        if items is None:
            self.keep_block(block)
            return
        self.rec.relations.extend(relations)
        self.rec.references.extend(references)

    def _more_information(self, block: _Block) -> None:
        """Its own text and what is not ours stay free; our Related Decisions and References
        lists (`* Supersedes [ADR-0003: Use MySQL](…)`, `* [title](url)`) are read back."""
        intro, subs = _subsections(block)
        self.anchor = "more_information"
        if _text(intro):
            self.keep("", _text(intro), 0)
        for sub in subs:
            if sub.key == "related decisions" and self._relation_list(sub):
                continue
            if sub.key == "references" and self._reference_list(sub):
                continue
            self.keep_block(sub)

    def _related_decisions(self, block: _Block) -> None:
        if not self._relation_list(block):
            self.keep_block(block)

    def _relation_list(self, block: _Block) -> bool:
        items = _bullets(block.lines)
        if not items or not all(RELATION.fullmatch(item.strip()) for item in items):
            return False
        for item in items:
            self.rec.relations.extend(relations_in(item))
        return True

    def _reference_list(self, block: _Block) -> bool:
        items = _bullets(block.lines)
        refs = [_reference(item) for item in items or []]
        if not items or not all(refs):
            return False
        self.rec.references.extend(ref for ref in refs if ref)
        return True

    def _references(self, block: _Block) -> None:
        items = _bullets(block.lines)
        refs = [_reference(item) for item in items or []]
        if items is None or not all(refs):
            self.keep_block(block)
            return
        self.rec.references.extend(ref for ref in refs if ref)
        self.anchor = "more_information"

    # -- "Decide on" pages

    def _scenarios(self, block: _Block) -> None:
        intro, subs = _subsections(block)
        self.rec.options_intro = _text(intro)
        for sub in subs:
            description, choose_when = _callout(sub.lines)
            kind = _callout_kind(sub.lines)
            if kind not in ("", "info"):
                self.warn(f"':::{kind}' callout read as the scenario's guidance", sub.line)
            self.rec.scenarios.append(ScenarioEntry(sub.heading, description, choose_when))
        self.anchor = "options"

    def _considerations(self, block: _Block) -> None:
        intro, subs = _subsections(block)
        self.anchor = "considerations"
        if _text(intro):
            self.keep("", _text(intro), 0)
        for sub in subs:
            self.rec.considerations.append(self._consideration(sub))

    def _consideration(self, block: _Block) -> ConsiderationEntry:
        intro, subs = _subsections(block)
        body_lines = []
        for line in intro:
            found = relations_in(line.text) if not line.in_code else []
            if found and re.match(r"^\s*See also\s*:", line.text, re.I):
                self.rec.relations.extend(_as_see_also(found))
            else:
                body_lines.append(line)
        body = _text(body_lines)
        item = ConsiderationEntry(block.heading, body)
        # "TODO" alone, or as the first paragraph before notes, marks a consideration still open.
        first, _, rest = body.strip().partition("\n\n")
        if first.strip().upper() in ("", "TODO", "TODO.", "TBD"):
            item.is_open, item.body = True, rest.strip()
        for sub in subs:
            if not self._support_list(item, sub):
                item.body = "\n\n".join(
                    part for part in (item.body, *_heading_and_body(sub)) if part
                )
        if subs and item.is_open and item.options:
            item.is_open = False
        return item

    def _support_list(self, item: ConsiderationEntry, block: _Block) -> bool:
        """`#### <scenario>` + "… support the following … types:" + bullets = supported options."""
        parts = _items(block.lines)
        texts = [text for kind, text in parts if kind == "text"]
        bullets = [text for kind, text in parts if kind == "item"]
        lead_in = len(texts) == 1 and re.search(r"\bsupports?\b.*:\s*$", texts[0], re.S)
        if not bullets or not lead_in or parts[0][0] != "text":
            return False
        for title in bullets:
            option = next((o for o in item.options if o.title == title), None)
            if option is None:
                option = AuthOptionEntry(title)
                item.options.append(option)
            option.support.append(SupportEntry(block.heading, "supported"))
        return True


def _without_placeholder(text: str) -> str:
    first, _, rest = text.partition("\n\n")
    return rest.strip() if first.strip() == NO_OUTCOME else text


_QUOTED = re.compile(
    r'\s*(?:"([^"\n]+)"|“([^”\n]+)”|\*\*(.+?)\*\*|`([^`\n]+)`|\'([^\'\n]+)\'(?=[\s,.;:]|$))'
)


def _split_chosen(text: str) -> tuple[str, str]:
    """`"X", because Y` -> (X, ", because Y"); an unquoted name ends at `because` or the line."""
    if quoted := _QUOTED.match(text):
        return next(group for group in quoted.groups() if group), text[quoted.end() :]
    head, newline, tail = text.partition("\n")
    if because := re.search(r",?\s+because\b", head, re.I):
        return head[: because.start()].strip(), head[because.start() :] + newline + tail
    return head.strip().rstrip(","), tail


def _reference(item: str) -> ReferenceEntry | None:
    """A list item that is only a link, `[title](url)` or `<url>`."""
    if match := re.fullmatch(r"\[([^\]]+)\]\(([^)\s]+)\)", item.strip()):
        return ReferenceEntry(match.group(1), match.group(2))
    if match := re.fullmatch(r"<(https?://[^>\s]+)>", item.strip()):
        return ReferenceEntry(match.group(1), match.group(1))
    return None


def _as_see_also(found: list[RelationEntry]) -> list[RelationEntry]:
    return [RelationEntry("see_also", r.number, r.title, r.target) for r in found]


def _heading_and_body(block: _Block) -> list[str]:
    return ["#" * block.level + " " + block.heading, block.body]


def _dedent_all(text: str) -> str:
    lines = text.split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines).strip("\n")


_POINT = re.compile(r"^(Good|Neutral|Bad)\b[,:]?\s*(?:because\b\s*)?(.*)$", re.S | re.I)


def _points(lines: list[_Line], kind: str | None) -> list[Point] | None:
    """Consequence bullets as points; None when the body is not only such bullets."""
    items = _bullets(lines)
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


def _description_and_points(lines: list[_Line]) -> tuple[str, list[Point]]:
    """`* Good, because …` items as points; every other line stays as the source wrote it."""
    points: list[Point] = []
    kept: list[_Line] = []
    for kind, text, span in _item_spans(lines):
        match = _POINT.match(text) if kind == "item" else None
        if match:
            points.append(Point(match.group(1).lower(), match.group(2).strip()))
        else:
            kept.extend(span)
    return _text(kept), points


_CALLOUT = re.compile(r"^\s*:::(info|tip|caution|note|warning|danger)\b(.*)$")


def _callout_kind(lines: list[_Line]) -> str:
    found = (_CALLOUT.match(line.text) for line in lines if not line.in_code)
    return next((match.group(1) for match in found if match), "")


def _callout(lines: list[_Line]) -> tuple[str, str]:
    """Split a scenario body into its description and its first `:::info` callout's text."""
    start = next(
        (i for i, line in enumerate(lines) if not line.in_code and _CALLOUT.match(line.text)), None
    )
    if start is None:
        return _text(lines), ""
    end = next((i for i in range(start + 1, len(lines)) if lines[i].text.strip() == ":::"), None)
    if end is None:
        return _text(lines), ""
    title = _CALLOUT.match(lines[start].text).group(2).strip()  # type: ignore[union-attr]
    inner = _text(lines[start + 1 : end])
    if title:
        inner = f"{title}\n\n{inner}"
    description = _text([*lines[:start], *lines[end + 1 :]])
    return description, inner
