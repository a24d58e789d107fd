"""log4brains: MADR 2 as the log4brains tool writes it, read with MADR's sections.

Only recognising one is its own: a `yyyymmdd-` file name, or, with no front matter, a
`- Status:` list under the title and a Links section.
"""

from __future__ import annotations

import re

from ..vocabulary import DATE_SLUG
from . import madr
from .document import Document

SECTIONS = madr.SECTIONS


def looks_like(doc: Document, name: str) -> bool:
    keys = {block.key for block in doc.blocks}
    preamble = "\n".join(line.text for line in doc.preamble if not line.in_code)
    dash_status = re.search(r"^- Status:", preamble, re.M) is not None
    return bool(DATE_SLUG.match(name) or (dash_status and "links" in keys and not doc.front_raw))
