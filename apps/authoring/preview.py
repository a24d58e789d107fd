"""The editor's preview, rendered a section at a time: an autosave changes one section, and the
preview fetched after it renders that one and reads the others from the cache.

The page renders a record's Markdown whole (`rendering.record_html`). Here the same Markdown is
cut before each `## ` heading, each section goes through the same one renderer
(`render_markdown`, the sanitiser included) and its HTML is kept under a digest of its own text
and the image hosts: a changed section is a new key, so no entry is ever stale, and nothing is
invalidated by hand. Rendered whole, one preview took a third of the live regions' time (20 ms
of CPU for a bench decision of about two printed pages).

Python-Markdown ends every block at a `## ` line at the start of a line, so the sections join into
the very HTML the whole text gives, unless something in the text reaches across headings: a
code fence, raw HTML, a link reference defined elsewhere, a `:::` callout. A text with any of
those is rendered whole, as the page does it (`tests/authoring/test_preview.py` compares both).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from apps.core.markdown import render_markdown, too_costly
from apps.formats.record import Record
from apps.formats.writers import LinkFor, file_link, madr_body

# Bump when the renderer's output changes: Redis outlives a deploy.
VERSION = 1
# Entries are superseded, never invalidated; a day bounds what an unread one costs.
TIMEOUT = 24 * 60 * 60
SECTION = re.compile(r"(?<=\n\n)(?=###? )")
ACROSS = re.compile(r"^(?: {0,3}(?:```|~~~|<|\[[^\[\]]*\]:)|\s*:::)", re.M)


def _key(text: str, hosts: tuple[str, ...]) -> str:
    digest = hashlib.sha256(repr((text, hosts)).encode()).hexdigest()[:40]
    return f"preview:{VERSION}:{digest}"


def preview_html(
    record: Record, link_for: LinkFor = file_link, image_hosts: Iterable[str] = ()
) -> SafeString:
    """`rendering.record_html(record, link_for, image_hosts)`, a section at a time."""
    text = madr_body(record, link_for)
    hosts = tuple(sorted(image_hosts))
    if too_costly(text) or ACROSS.search(text):
        return render_markdown(text, hosts)
    sections = [s for s in SECTION.split(text) if s.strip()]
    keys = [_key(s, hosts) for s in sections]
    found = cache.get_many(keys)
    fresh = {}
    for section, key in zip(sections, keys, strict=True):
        if key not in found:
            found[key] = fresh[key] = str(render_markdown(section, hosts))
    if fresh:
        cache.set_many(fresh, TIMEOUT)
    # Each part came out of render_markdown, the one sanitiser, whole.
    return mark_safe("\n".join(found[k] for k in keys if found[k]))  # noqa: S308
