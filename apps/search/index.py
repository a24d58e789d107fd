"""Building search documents from decisions, in batches, with a fixed number of queries."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection, connections, models, router, transaction
from django.db.models import Q

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
        # In key order, as the triggers lock documents: two writers never wait on each other.
        decisions = list(Decision.objects.with_record().filter(pk__in=chunk).order_by("pk"))
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
            # A decision changed since it was read here (its change waited for the rows written
            # above, migration 0008) keeps its document marked stale, for the next search.
            changed = ~Q(source_updated=models.F("decision__updated_at"))
            SearchDocument.objects.filter(Q(decision_id__in=chunk), changed).update(stale=True)
        built += len(documents)
    return built


def stale(decisions: models.QuerySet) -> models.QuerySet:
    """The decisions among these whose document is missing or older than the decision."""
    return decisions.filter(
        Q(search_document__isnull=True)
        | Q(search_document__stale=True)
        | ~Q(search_document__source_updated=models.F("updated_at"))
    )


# Whether this process has compared every document with its decision. After that first check,
# a search looks only at the documents marked stale: triggers mark a decision's document stale in
# the statement that changes the decision (migration 0008).
_checked: dict[str, bool] = {}


def refresh() -> int:
    """Bring every out-of-date document up to date before a search reads them."""
    alias = router.db_for_read(Decision)
    if not _checked.get(alias):
        stale_ids = stale(Decision.objects.using(alias)).order_by().values_list("pk", flat=True)
    else:
        with connections[alias].cursor() as cursor:
            cursor.execute(STALE_IDS)
            stale_ids = [row[0] for row in cursor.fetchall()]
    built = index_decisions(stale_ids)
    _checked[alias] = True
    return built


# The check of every search after a process's first: the partial index of stale documents.
STALE_IDS = "SELECT decision_id FROM search_searchdocument WHERE stale"


def mark_stale(decision_ids: Iterable[int]) -> None:
    SearchDocument.objects.filter(decision_id__in=list(decision_ids)).update(stale=True)
