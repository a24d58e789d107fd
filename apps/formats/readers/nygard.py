"""Nygard's template, as adr-tools and its variants write it: Status, Context, Decision,
Consequences, and sometimes Related Decisions and References.

The Decision is prose, kept whole as the rationale; Consequences and any other section stay free.
"""

from __future__ import annotations

from .document import Document
from .markdown import Block
from .reader import Handler, Reader
from .sections import COMMON, references, relation_list, without_placeholder


def looks_like(doc: Document) -> bool:
    keys = {block.key for block in doc.blocks}
    nygardish = "status" in keys or {"context", "decision"} <= keys
    return nygardish or doc.h1_text.lower().startswith("architecture decision record")


def decision(reader: Reader, block: Block) -> None:
    reader.rec.rationale = without_placeholder(block.body)
    reader.anchor = "outcome"


def related_decisions(reader: Reader, block: Block) -> None:
    if not relation_list(reader, block):
        reader.keep_block(block)


SECTIONS: dict[str, Handler] = {
    **COMMON,
    "decision": decision,
    "related decisions": related_decisions,
    "references": references,
}
