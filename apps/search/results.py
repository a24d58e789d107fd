"""The search results' rows as HTML, each rendered once per what it shows, as the log's rows are
(apps/decisions/listing.py): a page of results reads its rows from the cache in one round trip.

A row's HTML holds nothing of the reader nor of the words searched: which rows a reader sees is
decided by the page's query on every request, and the snippet, which depends on the words, is
put into its slot after the row is read from the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from apps.decisions.listing import LOG_VALUES, SEPARATOR
from apps.decisions.models import Decision
from apps.workspaces.models import Workspace

ROW_TEMPLATE = "search/search.html#result-row"
# Bump when the row's template or what it shows changes: Redis outlives a deploy.
ROW_VERSION = 1
# Entries are superseded, never invalidated; a day bounds what an unread one costs.
ROW_TIMEOUT = 24 * 60 * 60
# Where a row's snippet goes. No user text can hold it: user text is escaped, and it has a "<".
SLOT = "<search-snippet>"


def _key(row: dict, show_workspace: bool) -> str:
    shown = [row[name] for name in LOG_VALUES]
    if not show_workspace:
        shown[LOG_VALUES.index("workspace__name")] = None
    shown.append(show_workspace)
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:32]
    return f"searchrow:{ROW_VERSION}:{row['pk']}:{digest}"


def _decision(row: dict) -> Decision:
    """A decision built from a row's values, for the template (its link, ref, status label and
    owner's name are the model's own), without a query."""
    decision = Decision(
        pk=row["pk"],
        number=row["number"],
        title=row["title"],
        status=row["status"],
        updated_at=row["updated_at"],
        workspace=Workspace(
            pk=row["workspace_id"], slug=row["workspace__slug"], name=row["workspace__name"]
        ),
    )
    if row["owner_id"] is not None:
        decision.owner = get_user_model()(
            pk=row["owner_id"],
            username=row["owner__username"],
            first_name=row["owner__first_name"],
            last_name=row["owner__last_name"],
        )
    names = row["tag_names"] or ""
    decision.tag_list = sorted(names.split(SEPARATOR)) if names else []
    return decision


def result_rows(rows: Iterable[dict], show_workspace: bool) -> list[SafeString]:
    """The results' rows as HTML, `rows` as `query.rows` reads them (values and `snippet`)."""
    rows = list(rows)
    keys = [_key(row, show_workspace) for row in rows]
    found = cache.get_many(keys)
    html, fresh = [], {}
    for row, key in zip(rows, keys, strict=True):
        part = found.get(key)
        if part is None:
            context = {"decision": _decision(row), "show_workspace": show_workspace}
            context["snippet"] = SafeString(SLOT)
            part = fresh[key] = render_to_string(ROW_TEMPLATE, context)
        snippet = f'<p class="snippet">{row["snippet"]}</p>' if row["snippet"] else ""
        html.append(SafeString(part.replace(SLOT, snippet, 1)))
    if fresh:
        cache.set_many(fresh, ROW_TIMEOUT)
    return html
