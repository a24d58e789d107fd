"""Finding decisions: the filters of the log and search, and full-text search with snippets.

    form = FilterForm(request.GET, user=request.user)
    decisions = form.apply(Decision.objects.for_user(request.user))
    results = search(decisions, form.cleaned_data["q"])  # ranked, best first

The same functions serve the log, the search page, the timeline and the API, on PostgreSQL
(full-text search with a GIN index) and on SQLite (a word match with the same interface).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Concat, Left

from apps.decisions.models import Decision

from .index import CONFIG, refresh
from .models import SearchDocument

# Sentinels around matches: user text is escaped first, then they become <mark>.
START, STOP = "\x02", "\x03"
SNIPPET_CHARS = 220
SNIPPET_SOURCE = 2000
WORD = re.compile(r"\w+", re.UNICODE)


def words(q: str) -> list[str]:
    return [w.lower() for w in WORD.findall(q)][:12]


@contextmanager
def matching_by_index() -> Iterator[None]:
    """Run the queries inside on PostgreSQL with matches read through the GIN index.

    The planner prices `vector @@ query` without the cost of reading each document's large
    vector out of TOAST, so for a word found in most documents it scans them all (55 ms at
    10,000 documents here) instead of using the index (7 ms). Evaluate the page inside.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Bitmap scans only; no JIT, which those settings' inflated costs would switch on.
            for setting in ("enable_seqscan", "enable_indexscan", "jit"):
                cursor.execute(f"SET LOCAL {setting} = off")
        yield


def search(decisions: QuerySet, q: str) -> QuerySet:
    """These decisions matching `q`, best first (a title match above a body match).

    Each result carries `rank` and `snippet_source` (for `snippet`).
    """
    refresh()
    if connection.vendor == "postgresql":
        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        documents = SearchDocument.objects.all()
        # Snippets come from the first part of the text: ts_headline reads all it is given.
        text = Concat(
            "search_document__head",
            Value("\n"),
            "search_document__body",
            Value("\n"),
            "search_document__comments",
            output_field=TextField(),
        )
        return (
            decisions.filter(search_document__vector=query)
            .annotate(
                # The same tiers as on SQLite: a title match, then problem and outcome, then the
                # rest. Each tier is one GIN index lookup, whatever the number of matches.
                rank=Case(
                    When(
                        pk__in=documents.filter(title_vector=query).values("decision_id"),
                        then=Value(3),
                    ),
                    When(
                        pk__in=documents.filter(head_vector=query).values("decision_id"),
                        then=Value(2),
                    ),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
                headline=SearchHeadline(
                    Left(text, SNIPPET_SOURCE),
                    query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", "-updated_at", "pk")
        )
    terms = words(q)
    if not terms:
        return decisions.none()
    for term in terms:
        decisions = decisions.filter(
            Q(search_document__title__icontains=term)
            | Q(search_document__head__icontains=term)
            | Q(search_document__body__icontains=term)
            | Q(search_document__comments__icontains=term)
        )
    in_title = Q()
    in_head = Q()
    for term in terms:
        in_title &= Q(search_document__title__icontains=term)
        in_head &= Q(search_document__head__icontains=term)
    return (
        decisions.select_related("search_document")
        .annotate(
            rank=Case(
                When(in_title, then=Value(3)),
                When(in_head, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            headline=Value(""),
        )
        .order_by("-rank", "-updated_at", "pk")
    )


def snippet(decision: Decision, q: str) -> str:
    """Where the words were found, as HTML: the text escaped, the matches in <mark>."""
    text = getattr(decision, "headline", "") or ""
    if not text:
        text = _find(decision, words(q))
    return html.escape(text, quote=False).replace(START, "<mark>").replace(STOP, "</mark>")


def _find(decision: Decision, terms: list[str]) -> str:
    """SQLite: a window of text around the first match, with every match marked."""
    document = getattr(decision, "search_document", None)
    if document is None or not terms:
        return ""
    text = " ".join(
        " ".join(part.split()) for part in (document.head, document.body, document.comments)
    )
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    found = pattern.search(text)
    if found is None:
        return ""
    start = max(found.start() - SNIPPET_CHARS // 3, 0)
    window = text[start : start + SNIPPET_CHARS]
    marked = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", window)
    return ("… " if start else "") + marked + (" …" if start + SNIPPET_CHARS < len(text) else "")
