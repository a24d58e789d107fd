"""Render once per revision: a decision's rendered parts, cached under a key its rows make.

    decision = Decision.objects.with_page_key().get(...)      # one query: the row and its stamp
    page = rendered(decision)                                  # record and body: a cache hit
    sha = cached(decision, "content_sha256", build)            # any other part, built once

The key is made from the decision's own row (id, revision, updated_at, status, owner, workspace)
and, through subqueries in the same query, from the decisions related to it either way (how many
relations, and when the newest of those decisions last changed). Every edit bumps the revision or
`updated_at`, and so does every status move; a related decision renamed or moved changes its
`updated_at`. So a changed decision is read under a new key, and the old entry is never read
again and expires: invalidation by construction, no signal tells the cache anything.

The cache is Django's (settings.CACHES): local memory per process by default, Redis when
REDIS_URL is set. Parts are plain picklable data (a `Record`, HTML strings, lists of rows).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db import connection
from django.db.models import CharField
from django.db.models.expressions import RawSQL
from django.db.models.query import prefetch_related_objects
from django.utils.safestring import SafeString

from apps.formats.record import Record

from .models import Decision, DecisionQuerySet
from .rendering import page_link_for, record_html

# Bump when what a part holds or how it is rendered changes, so no process reads an entry that
# an older release wrote (Redis outlives a deploy).
VERSION = 1
# Entries are never invalidated, only superseded; a day bounds what an unread one costs.
TIMEOUT = 24 * 60 * 60
T = TypeVar("T")


# The related decisions either way: how many relations, and when the latest of those decisions
# changed. Raw SQL, one subquery, so that building the query costs little on every page.
RELATED = """(
    SELECT {count} || ':' || COALESCE({latest}, '')
    FROM decisions_relation r
    JOIN decisions_decision other ON other.id = CASE
        WHEN r.source_id = decisions_decision.id THEN r.target_id ELSE r.source_id END
    WHERE r.source_id = decisions_decision.id OR r.target_id = decisions_decision.id
)"""
# The whole folder (workspace): how many decisions, and when the latest changed.
FOLDER = """(
    SELECT {count} || ':' || COALESCE({latest}, '')
    FROM decisions_decision mate
    WHERE mate.workspace_id = decisions_decision.workspace_id
)"""


def shown_digest(shown, length: int = 32) -> str:
    """What a cache key is made of: every value its entry shows, by `repr`, so that another value
    is another key (entries are superseded, never invalidated)."""
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:length]


def stamp_sql(template: str, table: str) -> str:
    """RELATED or FOLDER for this database."""
    if connection.vendor == "postgresql":
        count, latest = "COUNT(*)::text", f"MAX({table}.updated_at)::text"
    else:
        count, latest = "COUNT(*)", f"MAX({table}.updated_at)"
    return template.format(count=count, latest=latest)


def _stamp(template: str, table: str) -> RawSQL:
    # Our own constant text, no user input.
    return RawSQL(stamp_sql(template, table), [], output_field=CharField())  # noqa: S611


def with_page_key(queryset: DecisionQuerySet, folder: bool = False) -> DecisionQuerySet:
    """The decisions with what their cache key is made of, in the same single query.

    `folder`: the key covers the whole workspace too (how many decisions, and when the latest
    changed), for what depends on every file name of the folder: a Markdown file's own name and
    its links are made unique against all the others' (`rendering.folder_paths`).
    """
    stamps = {"page_related": _stamp(RELATED, "other")}
    if folder:
        stamps["page_folder"] = _stamp(FOLDER, "mate")
    return queryset.select_related("workspace", "owner", "chosen").annotate(**stamps)


def page_key(decision: Decision) -> str:
    """The decision's cache key; `decision` loaded through `with_page_key`."""
    if not hasattr(decision, "page_related"):
        raise ValueError("Load the decision with with_page_key() to key its cache.")
    workspace = decision.workspace
    parts = [
        VERSION,
        decision.pk,
        decision.revision,
        decision.updated_at.isoformat() if decision.updated_at else "",
        decision.status,
        decision.decided_on.isoformat() if decision.decided_on else "",
        decision.number,
        decision.owner_name,
        workspace.slug,
        workspace.image_hosts,
        decision.page_related,
        getattr(decision, "page_folder", None),
    ]
    shown = repr(parts)
    # A page asks for its key once a part: hashed once per instance and values.
    known = getattr(decision, "_page_key", None)
    if known is None or known[0] != shown:
        digest = hashlib.sha256(shown.encode()).hexdigest()[:32]
        known = decision._page_key = (shown, f"decision:{decision.pk}:{decision.revision}:{digest}")
    return known[1]


def cached(decision: Decision, part: str, build: Callable[[], T]) -> T:
    """`build()` once per key and part. A decision loaded without its key builds every time, so
    callers elsewhere (exports, the editor, reviews) get the same answer uncached."""
    if not hasattr(decision, "page_related"):
        return build()
    key = f"{page_key(decision)}:{part}"
    ahead = getattr(decision, "_read_ahead", {})
    found = ahead[key] if key in ahead else cache.get(key)
    if found is not None:
        return found[0]
    value = build()
    # Wrapped, so a part that is legitimately None or empty is a hit too.
    cache.set(key, (value,), TIMEOUT)
    return value


def read_ahead(decision: Decision, parts: list[str]) -> None:
    """Fetch these parts in one cache round trip (Redis: one request, not one a part); `cached`
    then finds them on the instance. Parts not there are built by `cached` as usual."""
    if hasattr(decision, "page_related"):
        prefix = page_key(decision)
        decision._read_ahead = cache.get_many([f"{prefix}:{part}" for part in parts])


def load_record(decision: Decision) -> Decision:
    """Fill in every row `to_record()` reads, on this instance, once (on a cache miss)."""
    if not getattr(decision, "_record_loaded", False):
        lookups = Decision.objects.with_record()._prefetch_related_lookups
        prefetch_related_objects([decision], *lookups)
        decision._record_loaded = True
    return decision


@dataclass(frozen=True)
class Rendered:
    """What the decision page, the PDF and the preview show of a record: built once a key."""

    record: Record
    body: SafeString


def rendered(decision: Decision) -> Rendered:
    """The decision's record and page body, from the cache or built and stored."""

    def build() -> Rendered:
        record = load_record(decision).to_record()
        body = record_html(
            record, page_link_for(decision.workspace.slug), decision.workspace.image_host_list
        )
        return Rendered(record, body)

    return cached(decision, "page", build)
