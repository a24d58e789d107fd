"""Where each section of a decision's page text begins, so its comments can sit beside it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from apps.formats import criteria
from apps.formats.record import Record

from .models import SECTIONS

# The MADR headings the writer gives each part (apps/formats/writers.py, `madr_body`).
HEADINGS = {label: key for key, label in SECTIONS.items()}
# Under these headings, a third-level heading names a scenario or a consideration.
CHILDREN = {"pros_cons": "scenario", "considerations": "consideration"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Outline(HTMLParser):
    """The top-level <h2> and <h3> of sanitised HTML, with their offsets and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.headings: list[tuple[int, str, str]] = []  # (line, column, tag, text) flattened below
        self._open: tuple[tuple[int, int], str, list[str]] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if self.depth == 0 and tag in ("h2", "h3"):
            self._open = (self.getpos(), tag, [])
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs) -> None:
        pass  # <br/>: opens nothing

    def handle_endtag(self, tag) -> None:
        if tag in VOID:
            return
        self.depth = max(self.depth - 1, 0)
        if self.depth == 0 and self._open and tag == self._open[1]:
            position, tag, text = self._open
            self.headings.append((position, tag, " ".join("".join(text).split())))
            self._open = None

    def handle_data(self, data) -> None:
        if self._open:
            self._open[2].append(data)


def split_sections(html: str, record: Record) -> list[tuple[str, str]]:
    """The page text cut before each heading that starts a part of the record one can comment
    on: [(key, html)], the first key "" for what comes before any. Every part is whole HTML,
    since only top-level headings are cut at; a heading that names nothing is left in its part.
    """
    parser = _Outline()
    parser.feed(html)
    parser.close()
    starts = [0] + [m.end() for m in re.finditer("\n", html)]
    scenarios = {s.title.strip() for s in record.scenarios}
    considerations = {c.title.strip() for c in record.considerations}
    titles = {"scenario": scenarios, "consideration": considerations}
    cuts: list[tuple[int, str]] = []
    seen: set[str] = set()
    parent = ""
    for (line, column), tag, text in parser.headings:
        key = ""
        if tag == "h2":
            parent = HEADINGS.get(text, "")
            key = parent
        elif parent in CHILDREN and text in titles[CHILDREN[parent]]:
            key = f"{CHILDREN[parent]}:{text}"
        elif parent == "pros_cons" and text == criteria.HEADING and text not in scenarios:
            key = "criteria"
        if key and key not in seen:
            seen.add(key)
            cuts.append((starts[line - 1] + column, key))
    parts, last, key = [], 0, ""
    for offset, next_key in cuts:
        parts.append((key, html[last:offset]))
        last, key = offset, next_key
    parts.append((key, html[last:]))
    return [(k, part) for k, part in parts if part.strip() or k]
