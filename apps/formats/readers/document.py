"""The document: front matter, title line, preamble and top-level blocks, before any dialect.

`ReadError` lives here because broken front matter is the first thing that can make a file
unreadable; `read_bytes` raises it too, for bytes that are not UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from ..vocabulary import load_front_matter
from .markdown import Block, Line, mark_code, split_blocks


class ReadError(ValueError):
    """A file that cannot be read as an ADR; the message names the file and, if known, the line."""

    def __init__(self, message: str, filename: str, line: int | None = None) -> None:
        self.filename = filename
        self.line = line
        where = f"{filename}, line {line}" if line is not None else filename
        super().__init__(f"{where}: {message}")


@dataclass
class Document:
    front_raw: str | None = None
    front: dict = field(default_factory=dict)
    h1_text: str = ""
    has_h1: bool = False
    before_h1: list[Line] = field(default_factory=list)
    preamble: list[Line] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_document(text: str, filename: str) -> Document:
    doc = Document()
    raw_lines = text.split("\n")
    start = _read_front_matter(raw_lines, filename, doc)
    lines = [Line(no, value) for no, value in enumerate(raw_lines[start:], start=start + 1)]
    mark_code(lines)
    preamble, doc.blocks = split_blocks(lines, 2)
    # The title is the first H1 before any H2; a later H1 is an ordinary (level 1) section.
    if doc.blocks and doc.blocks[0].level == 1:
        first = doc.blocks.pop(0)
        doc.h1_text, doc.has_h1 = first.heading, True
        doc.before_h1 = preamble
        doc.preamble = first.lines
    else:
        doc.preamble = preamble
    return doc


def _read_front_matter(lines: list[str], filename: str, doc: Document) -> int:
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
        data = load_front_matter(raw)
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
