"""Sections more than one dialect reads: Status, Context, References and related-decision lists.

Each function reads one top-level block into `reader.rec`; the dialects' `SECTIONS` tables start
from `COMMON` and name these alongside their own.
"""

from __future__ import annotations

import re

from ..record import ReferenceEntry
from ..vocabulary import NO_OUTCOME, RELATION, canonical_status, relations_in
from .markdown import Block, bullet_items, strip_emphasis, unescape
from .reader import Handler, Reader


def status(reader: Reader, block: Block) -> None:
    body = block.body
    # A `---` thematic break after the status word is layout, not status (Brighter).
    first = next((ln.text for ln in block.lines if ln.text.strip() not in ("", "---")), "")
    reader.set_status(strip_emphasis(first.strip()), block.line)
    reader.rec.relations.extend(relations_in(body))
    if not canonical_status(body, reader.rec.status):
        reader.keep(block.heading, body, block.level)


def context(reader: Reader, block: Block) -> None:
    reader.rec.context = block.body
    reader.anchor = "context"


COMMON: dict[str, Handler] = {
    "status": status,
    "context and problem statement": context,
    "context": context,
}


def references(reader: Reader, block: Block) -> None:
    items = bullet_items(block.lines)
    refs = [as_reference(item) for item in items or []]
    if items is None or not all(refs):
        reader.keep_block(block)
        return
    reader.rec.references.extend(ref for ref in refs if ref)
    reader.anchor = "more_information"


def relation_list(reader: Reader, block: Block) -> bool:
    """Read a list of only relations (`* Supersedes [ADR-0003: Use MySQL](…)`); False if not."""
    items = bullet_items(block.lines)
    if not items or not all(RELATION.fullmatch(item.strip()) for item in items):
        return False
    for item in items:
        reader.rec.relations.extend(relations_in(item))
    return True


def reference_list(reader: Reader, block: Block) -> bool:
    """Read a list of only links (`* [title](url)`); False if it is not one."""
    items = bullet_items(block.lines)
    refs = [as_reference(item) for item in items or []]
    if not items or not all(refs):
        return False
    reader.rec.references.extend(ref for ref in refs if ref)
    return True


def as_reference(item: str) -> ReferenceEntry | None:
    """A list item that is only a link, `[title](url)` or `<url>`."""
    # The title may hold backslash escapes, as the writers escape titles (escape_inline).
    if match := re.fullmatch(r"\[((?:[^\]\\]|\\.)+)\]\(([^)\s]+)\)", item.strip()):
        return ReferenceEntry(unescape(match.group(1)), match.group(2))
    if match := re.fullmatch(r"<(https?://[^>\s]+)>", item.strip()):
        return ReferenceEntry(match.group(1), match.group(1))
    return None


def without_placeholder(text: str) -> str:
    """The text without the writers' "no option chosen yet" placeholder paragraph."""
    first, _, rest = text.partition("\n\n")
    return rest.strip() if first.strip() == NO_OUTCOME else text
