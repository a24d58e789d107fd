"""Building search documents from decisions, in batches, with a fixed number of queries."""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.contrib.postgres.search import SearchVector
from django.db import connection, connections, models, router, transaction
from django.db.models import Q
from django.utils import timezone

from apps.decisions.models import Decision
from apps.formats.record import Record
from apps.reviews.models import Comment

from .models import SearchDocument

BATCH = 500
CONFIG = "english"
TEXTS = ("title", "head", "body", "comments")


def texts(record: Record, comments: list[str]) -> dict[str, str]:
    """The record's words, by weight: title; problem and outcome; everything else."""
    head = [record.context, record.overview, *record.drivers, record.chosen, record.rationale]
    body = [record.options_intro]
    for s in record.scenarios:
        body += [s.title, s.description, s.choose_when, *(p.text for p in s.points)]
    for c in record.considerations:
        body += [c.title, c.body]
        for o in c.options:
            body += [o.title, o.description, *(cell.note for cell in o.support)]
    body += [p.text for p in record.consequences]
    body += [record.confirmation, *(f"{s.heading}\n{s.body}" for s in record.sections)]
    # The checklist of what must be confirmed later, and what its checks found.
    body += [t for i in record.confirmation_items for t in (i.text, i.note)]
    join = "\n".join
    return {
        "title": record.title,
        "head": join(t for t in head if t),
        "body": join(t for t in body if t),
        "comments": join(comments),
    }


def digest(texts: dict[str, str]) -> str:
    """What identifies a document's text: a snippet cut from it is cached under this."""
    joined = "\x00".join(texts[name] for name in TEXTS)
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def _document(decision: Decision, comments: list[str]) -> SearchDocument:
    found = texts(decision.to_record(), comments)
    return SearchDocument(
        decision_id=decision.pk,
        source_updated=decision.updated_at,
        stale=False,
        digest=digest(found),
        **found,
    )


def _comments(ids: list[int]) -> dict[int, list[str]]:
    found = defaultdict(list)
    rows = Comment.objects.filter(thread__decision_id__in=ids).order_by("at", "id")
    for decision_id, body in rows.values_list("thread__decision_id", "body"):
        found[decision_id].append(body)
    return found


def index_decisions(ids: Iterable[int]) -> int:
    """(Re)build the documents of these decisions; returns how many were built."""
    ids = list(ids)
    built = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        decisions = list(Decision.objects.with_record().filter(pk__in=chunk))
        comments = _comments(chunk)
        documents = [_document(d, comments.get(d.pk, [])) for d in decisions]
        with transaction.atomic():
            SearchDocument.objects.bulk_create(
                documents,
                update_conflicts=True,
                unique_fields=["decision"],
                update_fields=[*TEXTS, "source_updated", "stale", "digest"],
            )
            if connection.vendor == "postgresql":
                SearchDocument.objects.filter(decision_id__in=chunk).update(
                    vector=SearchVector("title", weight="A", config=CONFIG)
                    + SearchVector("head", weight="B", config=CONFIG)
                    + SearchVector("body", "comments", weight="C", config=CONFIG),
                    title_vector=SearchVector("title", config=CONFIG),
                    head_vector=SearchVector("head", config=CONFIG),
                )
        built += len(documents)
    return built


def stale(decisions: models.QuerySet) -> models.QuerySet:
    """The decisions among these whose document is missing or older than the decision."""
    return decisions.filter(
        Q(search_document__isnull=True)
        | Q(search_document__stale=True)
        | ~Q(search_document__source_updated=models.F("updated_at"))
    )


# When this process last made sure every document was current. Later checks look only at
# decisions changed since (minus a margin for transactions still open then), an index range scan
# instead of comparing all documents with their decisions on every search.
_checked: dict[str, object] = {}
MARGIN = timedelta(seconds=120)


def refresh() -> int:
    """Bring every out-of-date document up to date before a search reads them."""
    alias = router.db_for_read(Decision)
    now = timezone.now()
    since = _checked.get(alias)
    if since is None:
        stale_ids = stale(Decision.objects.using(alias)).order_by().values_list("pk", flat=True)
    else:
        sql, params, at = _recent_check(alias)
        params = list(params)
        for i in at:
            params[i] = connections[alias].ops.adapt_datetimefield_value(since - MARGIN)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            stale_ids = [row[0] for row in cursor.fetchall()]
    built = index_decisions(stale_ids)
    _checked[alias] = now
    return built


# Stands for the time of the last check in the check's SQL compiled once (`_recent_check`).
SINCE = datetime(2000, 1, 1, tzinfo=UTC)


@functools.cache
def _recent_check(alias: str) -> tuple[str, tuple, list[int]]:
    """The check of every search after the first, as SQL compiled once per process, with the
    places of its time parameter: building it through the ORM took 1.6–2.8 ms, running it a
    few hundredths of that.

    Two index lookups (recent changes; documents marked stale), joined as one list, rather than
    one OR across the join, which would compare every decision with its document. (An OR of the
    two lookups was no better on PostgreSQL: it scanned every decision to test it against both,
    5.7 ms of the server's CPU at 10,000 decisions, more than the search itself.)
    """
    recent = Decision.objects.using(alias).filter(updated_at__gte=SINCE).order_by().values("pk")
    marked = SearchDocument.objects.using(alias).filter(stale=True).order_by()
    candidates = Decision.objects.using(alias).filter(
        pk__in=recent.union(marked.values("decision_id"), all=True)
    )
    query = stale(candidates).order_by().values_list("pk", flat=True).query
    sql, params = query.sql_with_params()
    marker = connections[alias].ops.adapt_datetimefield_value(SINCE)
    return sql, params, [i for i, param in enumerate(params) if param == marker]


def mark_stale(decision_ids: Iterable[int]) -> None:
    SearchDocument.objects.filter(decision_id__in=list(decision_ids)).update(stale=True)
