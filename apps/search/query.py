"""Finding decisions: the filters of the log and search, and full-text search with snippets.

    form = FilterForm(request.GET, user=request.user)
    decisions = form.apply(Decision.objects.for_user(request.user))
    results = search(decisions, form.cleaned_data["q"])  # ranked, best first

The same functions serve the log, the search page, the timeline and the API, on PostgreSQL
(full-text search with a GIN index) and on SQLite (FTS5, bm25 and snippet), each by an index.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Concat, Left

from apps.decisions.models import Decision

from .index import CONFIG, refresh

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


# Ranking reads each candidate's document; only this many matches are ranked, and counted.
CANDIDATES = 500


def search(decisions: QuerySet, q: str) -> QuerySet:
    """These decisions matching `q`, best first: at most CANDIDATES + 1 of them, so that a word
    in every document costs as much as a rare one. A page that finds more than CANDIDATES says
    "more than 500" (`more_than`) rather than counting them all.

    Both databases find the matches through their index (PostgreSQL's GIN, SQLite's FTS5 kept in
    step with the documents by triggers, migration 0005), among the decisions given (so the
    user's rights and filters are in that one query), take the first CANDIDATES + 1 the index
    yields, unranked, and rank only those: `ts_rank` or bm25, title weighted above problem and
    outcome above the rest. Ranking every match first cost time in proportion to how common the
    word is. Each result carries `rank` and, on PostgreSQL, `headline` (for `snippet`).
    """
    refresh()
    if connection.vendor == "postgresql":
        return _search_postgresql(decisions, q)
    return _search_sqlite(decisions, q)


def more_than(count: int) -> bool:
    """Whether a search's count is the cap, not the number of matches."""
    return count > CANDIDATES


def _candidates(decisions: QuerySet, **match) -> QuerySet:
    """The first CANDIDATES + 1 of these decisions the index finds, in no order, as a subquery:
    ranking, counting and the page each read at most that many. (A list of their keys instead
    cost more to compile into the count and the page query than the subquery costs to run.)"""
    return decisions.filter(**match).order_by().values("pk")[: CANDIDATES + 1]


def _search_postgresql(decisions: QuerySet, q: str) -> QuerySet:
    query = SearchQuery(q, search_type="websearch", config=CONFIG)
    candidates = _candidates(decisions, search_document__vector=query)
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
        decisions.model.objects.filter(pk__in=candidates)
        .annotate(
            rank=SearchRank(F("search_document__vector"), query),
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


def fts_query(q: str) -> str:
    """`q` in FTS5's syntax, from the search box's (PostgreSQL's websearch): words must all be
    there, "a phrase" in order, -word not at all. Every term is quoted, so no user text is read
    as an FTS5 operator; empty when nothing positive is asked."""
    wanted, unwanted = [], []
    for phrase, word in PHRASE_OR_WORD.findall(q):
        negative = word.startswith("-") or phrase.startswith("-")
        terms = words(phrase or word)
        if not terms:
            continue
        quoted = '"' + " ".join(terms) + '"'
        (unwanted if negative else wanted).append(quoted)
    if not wanted:
        return ""
    expression = " AND ".join(wanted[:12])
    for term in unwanted[:12]:
        expression = f"({expression}) NOT {term}"
    return expression


PHRASE_OR_WORD = re.compile(r'(-?"[^"]*"?)|(-?[^\s"]+)')


def _search_sqlite(decisions: QuerySet, q: str) -> QuerySet:
    expression = fts_query(q)
    if not expression:
        return decisions.none()
    candidates = _candidates(decisions, text_index__match=expression)
    return (
        decisions.model.objects.filter(pk__in=candidates)
        # bm25 is computed in a query that matches; here for the candidates only.
        .filter(text_index__match=expression)
        # Snippets are cut for the page shown only (`page_snippets`): SQLite would cut one for
        # every ranked candidate before sorting them.
        .annotate(rank=-F("text_index__rank"), headline=Value("", output_field=TextField()))
        .order_by("-rank", "-updated_at", "pk")
    )


def page_snippets(decisions: list[Decision], q: str) -> None:
    """On SQLite, each result's `headline` from FTS5's snippet(), for one page in one query."""
    expression = fts_query(q)
    if connection.vendor != "sqlite" or not decisions or not expression:
        return
    ids = [d.pk for d in decisions]
    marks = ", ".join(["%s"] * len(ids))  # placeholders only: the values are parameters
    sql = "SELECT rowid, snippet(search_fts, -1, char(2), char(3), ' … ', 32) FROM search_fts "
    sql += f"WHERE search_fts MATCH %s AND rowid IN ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, *ids])
        found = dict(cursor.fetchall())
    for decision in decisions:
        decision.headline = found.get(decision.pk, "")


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
