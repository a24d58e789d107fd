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

The modules: `markdown` (lines, headings, blocks, lists), `document` (front matter, title,
preamble), `reader` (what every dialect shares: title, metadata lines, status, the walk over
sections), `sections` (sections several dialects read), and one per dialect, `madr`, `nygard`,
`log4brains` and `decide_on`, each with its `SECTIONS` table and (but MADR, what is left) the
`looks_like` test that recognises it.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import PurePath

from ..record import Record
from . import decide_on, log4brains, madr, nygard
from .document import Document, ReadError, parse_document
from .reader import Handler, Reader

__all__ = ["FORMATS", "ReadError", "ReadResult", "detect_format", "read", "read_bytes"]

FORMATS = ("madr", "nygard", "log4brains", "decide-on")

# The sections each format reads; a heading not named here is kept as a free section.
_SECTIONS: dict[str, dict[str, Handler]] = {
    "madr": madr.SECTIONS,
    "nygard": nygard.SECTIONS,
    "log4brains": log4brains.SECTIONS,
    "decide-on": decide_on.SECTIONS,
}


@dataclass
class ReadResult:
    record: Record
    format: str
    warnings: list[str] = field(default_factory=list)


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
    doc = parse_document(text, filename)
    chosen = format if format != "auto" else _detect(doc, filename)
    reader = Reader(doc, filename, _SECTIONS[chosen])
    return ReadResult(record=reader.record(), format=chosen, warnings=reader.warnings)


def detect_format(text: str, filename: str) -> str:
    text = text.removeprefix("\ufeff")
    return _detect(parse_document(text, filename), filename)


def _detect(doc: Document, filename: str) -> str:
    # The first that matches wins, and the later tests are the looser ones (a "Decide on" page
    # with a Status section would pass for Nygard); MADR is what is left.
    name = PurePath(filename).name.lower()
    if decide_on.looks_like(doc, name):
        return "decide-on"
    if log4brains.looks_like(doc, name):
        return "log4brains"
    if nygard.looks_like(doc):
        return "nygard"
    return "madr"
