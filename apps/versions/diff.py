"""What changed between two versions, as people read it: by section, named by its scenario or
consideration, with the words added and removed marked inside each changed line.

Bounded whatever the texts: lines are matched first (SequenceMatcher over whole lines, as
`changed_lines` does), and words are compared only inside a changed line paired with its new
text, only for lines of a modest length and within a budget per page. Past those bounds a line
is shown whole, removed then added, and a section past its size is named with its sizes.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import re

from django.utils.text import slugify

from .models import MAX_DIFF_LINES, MAX_SECTION_LINES

# The MADR sections whose third-level headings name a scenario or a consideration.
PARENTS = {"Pros and Cons of the Options": "Scenario", "Considerations": "Consideration"}
FRONT = "Front matter and title"
# Words are compared within one line of at most this many characters, and at most this many
# words on one page: two 400-line versions changed in every line stay well under a second.
MAX_WORD_LINE = 2_000
MAX_WORDS = 60_000
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclasses.dataclass
class Row:
    """One line of a section's diff: `kind` "removed", "added" or "same"; `parts` its text as
    (mark, text), mark "del" or "ins" for the words that changed, "" for the rest."""

    kind: str
    parts: list[tuple[str, str]]

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.parts)


@dataclasses.dataclass
class Section:
    label: str
    state: str  # "same", "changed", "added" or "removed"
    rows: list[Row]
    too_large: tuple[int, int] | None = None  # (lines before, lines after), when not compared

    @property
    def anchor(self) -> str:
        return "diff-" + (slugify(self.label.replace(":", " ")) or "part")


def sections_of(markdown: str) -> list[tuple[str, list[str]]]:
    """Markdown cut at its `## ` headings, and under Pros and Cons and Considerations at each
    `### ` heading too, named "Scenario: REST API" or "Consideration: WAF"."""
    sections: list[tuple[str, list[str]]] = [(FRONT, [])]
    parent = ""
    fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and line.startswith("## "):
            parent = line[3:].strip()
            sections.append((parent, []))
        elif not fence and line.startswith("### ") and parent in PARENTS:
            sections.append((f"{PARENTS[parent]}: {line[4:].strip()}", []))
        else:
            sections[-1][1].append(line)
    return sections


class _Budget:
    def __init__(self, words: int) -> None:
        self.words = words

    def take(self, count: int) -> bool:
        if count > self.words:
            return False
        self.words -= count
        return True


def word_rows(old: str, new: str, budget: _Budget) -> tuple[Row, Row]:
    """A replaced line and its new text, the words removed marked in one and added in the
    other; whole lines when either is long or the page's budget of words is spent."""
    if len(old) > MAX_WORD_LINE or len(new) > MAX_WORD_LINE:
        return Row("removed", [("del", old)]), Row("added", [("ins", new)])
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    if not budget.take(len(a) + len(b)):
        return Row("removed", [("del", old)]), Row("added", [("ins", new)])
    removed: list[tuple[str, str]] = []
    added: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            removed.append(("", "".join(a[i1:i2])))
            added.append(("", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            removed.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            added.append(("ins", "".join(b[j1:j2])))
    return Row("removed", _merged(removed)), Row("added", _merged(added))


def _merged(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Neighbours with the same mark as one part; a lone space between two changes joins them,
    so "a b c" replaced reads as one change, not three."""
    result: list[tuple[str, str]] = []
    for mark, text in parts:
        if result and (result[-1][0] == mark or (not text.strip() and not mark)):
            result[-1] = (result[-1][0], result[-1][1] + text)
        else:
            result.append((mark, text))
    return [(mark, text) for mark, text in result if text]


def changed_rows(old: list[str], new: list[str], budget: _Budget) -> list[Row]:
    """The lines removed and added, each replaced line beside its new text with its words
    marked. Blank lines that merely moved are left out."""
    rows: list[Row] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if op == "equal":
            continue
        for before, after in itertools.zip_longest(old[i1:i2], new[j1:j2]):
            if before is not None and after is not None and before.strip() and after.strip():
                rows += word_rows(before, after, budget)
                continue
            if before is not None and before.strip():
                rows.append(Row("removed", [("del", before)]))
            if after is not None and after.strip():
                rows.append(Row("added", [("ins", after)]))
    return rows


def compare(old: str, new: str) -> list[Section]:
    """Two versions' Markdown, section by section in the newer one's order (then the sections
    it dropped), each "same", "changed", "added" or "removed"."""
    before = dict(sections_of(old))
    lines_left, words = MAX_DIFF_LINES, _Budget(MAX_WORDS)
    result: list[Section] = []
    for label, lines in sections_of(new):
        if label not in before:
            rows = [Row("added", [("ins", line)]) for line in lines if line.strip()]
            result.append(Section(label, "added", rows))
            continue
        old_lines = before.pop(label)
        if old_lines == lines:
            rows = [Row("same", [("", line)]) for line in lines if line.strip()]
            result.append(Section(label, "same", rows[:MAX_SECTION_LINES]))
            continue
        size = len(old_lines) + len(lines)
        if size > min(MAX_SECTION_LINES, lines_left):
            result.append(Section(label, "changed", [], too_large=(len(old_lines), len(lines))))
            continue
        lines_left -= size
        if rows := changed_rows(old_lines, lines, words):
            result.append(Section(label, "changed", rows))
        else:  # only blank lines moved: the text reads the same
            rows = [Row("same", [("", line)]) for line in lines if line.strip()]
            result.append(Section(label, "same", rows))
    for label, lines in before.items():
        rows = [Row("removed", [("del", line)]) for line in lines if line.strip()]
        result.append(Section(label, "removed", rows))
    return result
