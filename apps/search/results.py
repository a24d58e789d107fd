"""The search results' rows as HTML, each rendered once per what it shows, as the log's rows are
(apps/decisions/listing.py), and their snippets, each cut once per document text and words: a
page of results reads its rows and snippets from the cache in one round trip.

A row's HTML holds nothing of the reader nor of the words searched: which rows a reader sees is
decided by the page's query on every request, and the snippet, which depends on the words, is
put into its slot after the row is read from the cache. A snippet depends on its document's
text (the digest the page's query reads with the row) and the words alone, not on who reads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from apps.decisions.cache import shown_digest
from apps.decisions.listing import LOG_VALUES, decision_from_values

from .query import snippet_words, snippets

ROW_TEMPLATE = "search/search.html#result-row"
# Bump when the row's template or what it shows changes: Redis outlives a deploy.
ROW_VERSION = 1
# Bump when how a snippet is cut changes (query.snippets).
SNIPPET_VERSION = 1
# Entries are superseded, never invalidated; a day bounds what an unread one costs.
ROW_TIMEOUT = 24 * 60 * 60
# Where a row's snippet goes. No user text can hold it: user text is escaped, and it has a "<".
SLOT = "<search-snippet>"


def _key(row: dict, show_workspace: bool) -> str:
    shown = [row[name] for name in LOG_VALUES]
    if not show_workspace:
        shown[LOG_VALUES.index("workspace__name")] = None
    shown.append(show_workspace)
    return f"searchrow:{ROW_VERSION}:{row['pk']}:{shown_digest(shown)}"


def _snippet_key(row: dict, words: str) -> str:
    digest = hashlib.sha256(words.encode()).hexdigest()[:32]
    return f"snippet:{SNIPPET_VERSION}:{row['pk']}:{row['digest']}:{digest}"


def result_rows(rows: Iterable[dict], show_workspace: bool, q: str) -> list[SafeString]:
    """The results' rows as HTML, `rows` as `query.ranked` reads them, with their snippets of
    the words `q`."""
    rows = list(rows)
    keys = [_key(row, show_workspace) for row in rows]
    words = snippet_words(q)
    snippet_keys = [_snippet_key(row, words) for row in rows]
    found = cache.get_many(keys + snippet_keys)
    missing = [row["pk"] for row, key in zip(rows, snippet_keys, strict=True) if key not in found]
    cut = snippets(q, missing)
    # Each filed under the text it was cut from, which a change since the page's query may have
    # made newer than the row's.
    fresh = {
        _snippet_key({"pk": pk, "digest": d}, words): text for pk, (d, text) in cut.items() if d
    }
    html = []
    for row, key, snippet_key in zip(rows, keys, snippet_keys, strict=True):
        part = found.get(key)
        if part is None:
            context = {"decision": decision_from_values(row), "show_workspace": show_workspace}
            context["snippet"] = SafeString(SLOT)
            part = fresh[key] = render_to_string(ROW_TEMPLATE, context)
        snippet = found[snippet_key] if snippet_key in found else cut.get(row["pk"], ("", ""))[1]
        snippet = f'<p class="snippet">{snippet}</p>' if snippet else ""
        html.append(SafeString(part.replace(SLOT, snippet, 1)))
    if fresh:
        cache.set_many(fresh, ROW_TIMEOUT)
    return html
