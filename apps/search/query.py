"""Finding decisions: the filters of the log and search, and full-text search with snippets.

    form, workspaces = filters_for(request)
    decisions = form.apply(Decision.objects.for_user(request.user, workspaces))
    results = search(decisions, q)  # a QuerySet, ranked, best first (the API)
    pages = ranked_pages(decisions, q, 20, request.GET.get("page"))  # the search page
    shown = pages[0:20]  # the page's rows, each with its snippet

The same functions serve the log, the search page, the timeline and the API, on PostgreSQL
(full-text search with a GIN index) and on SQLite (FTS5, bm25 and snippet), each by an index.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.expressions import Col
from django.db.models.functions import Concat, Left
from django.db.models.lookups import Exact, In
from django.utils import timezone

from apps.decisions.listing import LOG_VALUES, with_tag_names
from apps.decisions.models import Decision

from .index import CONFIG, refresh
from .models import SearchDocument

# Sentinels around matches: user text is escaped first, then they become <mark>.
START, STOP = "\x02", "\x03"
SNIPPET_SOURCE = 2000
WORD = re.compile(r"\w+", re.UNICODE)


def words(q: str) -> list[str]:
    return [w.lower() for w in WORD.findall(q)][:12]


@contextmanager
def matching_by_index() -> Iterator[None]:
    """Run the queries inside on PostgreSQL with matches read through the GIN index.

    The planner prices `vector @@ query` without the cost of reading each document's large
    vector out of TOAST, so for a word found in most documents it scanned them all (55 ms at
    10,000 documents here) instead of using the index (7 ms). Since the vectors are kept in
    their rows (migration 0006) its costs are the real ones and the search page does without
    this (and its three round trips); the API's `search` still runs inside it.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Bitmap scans only; no JIT, which those settings' inflated costs would switch on.
            # One statement (SET LOCAL each, as set_config's third argument says) for the three.
            names = ("enable_seqscan", "enable_indexscan", "jit")
            cursor.execute(
                "SELECT " + ", ".join(f"set_config('{name}', 'off', true)" for name in names)
            )
        yield


# Ranking reads each candidate's document; only this many matches are ranked, and counted. Each
# candidate cost 4-5 us of the database's time on PostgreSQL at 10,000 decisions (2 on SQLite):
# 500 of them made a search for a common word 1.4 ms slower than 200, and 2.3x the floor page
# rather than 1.9x (bench/run.py --only search). Ten pages of 20 are more than anyone reads; past
# them the page asks for another word or a filter.
CANDIDATES = 200


def search(decisions: QuerySet, q: str) -> QuerySet:
    """These decisions matching `q`, best first: at most CANDIDATES + 1 of them, so that a word
    in every document costs as much as a rare one. A page that finds more than CANDIDATES says
    "more than 200" (`more_than`) rather than counting them all.

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
    return (
        decisions.model.objects.filter(pk__in=candidates)
        .annotate(
            rank=SearchRank(F("search_document__vector"), query),
            headline=_headline(q),
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


def ranked(decisions: QuerySet, q: str, offset: int, limit: int) -> tuple[list[dict], int]:
    """One page of these decisions matching `q`, best first, as the results show them (the
    log's values, `listing.LOG_VALUES`, and their document's `digest`), and how many match up to
    CANDIDATES + 1: one statement.

    The candidates are the first CANDIDATES + 1 matches the index yields among the decisions
    given (rights and filters in that query), each ranked as it is read (bm25 or `ts_rank`); the
    statement around them counts them (a window count), sorts them and keeps the page, and only
    then reads the page's rows and tags. Counting and paging through the ORM matched the words
    twice more, against every match rather than the candidates: SQLite's count and page each
    read the whole FTS5 doclist of a common word. The snippets are `snippets`' work.

    The ORM compiled the candidates' query in 1.1 ms, twice what running it costs: for the
    usual filters (`_shape`) it is compiled once per process and shape, with stand-ins for the
    values, which each request then sends as parameters.
    """
    if connection.vendor == "postgresql":
        words = q
    else:
        words = fts_query(q)
        if not words:
            return [], 0
    shape = _shape(decisions.query)
    if shape is None:
        statement, found, shown = _statement(decisions, words)
    else:
        # Compiled once per shape of the decisions' query: only the values differ.
        values, key = shape
        statement, spec, shown = _statement_of_shape(decisions, key, CANDIDATES)
        found = [constant if i is None else values[i] for i, constant in spec]
    found = [words if param == WORDS else param for param in found]
    with connection.cursor() as cursor:
        cursor.execute(statement, [*found, limit, offset, *shown])
        names = [column[0] for column in cursor.description]
        found_rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    total = found_rows[0]["total"] if found_rows else 0
    for row in found_rows:
        del row["total"]
        if settings.USE_TZ and timezone.is_naive(row["updated_at"]):
            # SQLite gives the stored UTC time without its zone, as the ORM would convert it.
            row["updated_at"] = timezone.make_aware(row["updated_at"], dt.UTC)
    return found_rows, total


def _statement(decisions: QuerySet, words: str) -> tuple[str, list, tuple]:
    """`ranked`'s statement for these decisions and words (the database's syntax): its SQL, the
    candidates' parameters and the shown rows' parameters (LIMIT and OFFSET go between)."""
    if connection.vendor == "postgresql":
        query = SearchQuery(words, search_type="websearch", config=CONFIG)
        found = decisions.filter(search_document__vector=query)
        rank, best = SearchRank(F("search_document__vector"), query), "DESC"
    else:
        found = decisions.filter(text_index__match=words)
        rank, best = F("text_index__rank"), "ASC"  # bm25: the lower, the better
    candidates = found.order_by().values(c_id=F("pk"), c_rank=rank, c_updated=F("updated_at"))
    sql, params = candidates[: CANDIDATES + 1].query.sql_with_params()
    shown_sql, shown_params = _shown(connection.vendor)
    order = f"c_rank {best}, c_updated DESC, c_id"
    # The parts are SQL compiled by the ORM (or constant); every value is a parameter.
    statement = " ".join(
        [
            "SELECT shown.*, page.total",  # noqa: S608
            "FROM (SELECT c_id, c_rank, c_updated, COUNT(*) OVER () AS total",
            f"FROM ({sql}) AS c",
            f"ORDER BY {order} LIMIT %s OFFSET %s) AS page",
            f"INNER JOIN ({shown_sql}) AS shown ON shown.pk = page.c_id",
            f"ORDER BY {order}",
        ]
    )
    return statement, list(params), shown_params


# Stand for the values of a shape's lookups in the statement compiled for it: the n-th value
# is SENTINEL - n, a number no key takes, or that number as text (`_shape`).
SENTINEL = -904_471_000


def _shape(query) -> tuple[list, tuple] | None:
    """The values of a query of decisions filtered by nothing but equalities to, and lists of,
    numbers or text on their own columns (the rights, the workspace and the status filters),
    and its shape: what its SQL is made of but those values. None for any other query, which
    the ORM compiles on every request."""
    if (
        # A join the query no longer refers to (a filter's, trimmed) is not in its SQL.
        any(query.alias_refcount[alias] for alias in query.alias_map if alias != query.base_table)
        or query.annotations
        or query.extra
        or query.distinct
        or query.combinator
        or query.is_sliced
        or query.where.connector != "AND"
        or query.where.negated
    ):
        return None
    values, shape = [], []
    for lookup in query.where.children:
        if not isinstance(lookup, Exact | In):
            return None
        if not isinstance(lookup.lhs, Col) or lookup.lhs.alias != query.base_table:
            return None
        if isinstance(lookup, In):
            if not isinstance(lookup.rhs, list | tuple):
                return None
            given = list(dict.fromkeys(lookup.rhs))  # as In sends them: once each, in order
        else:
            given = [lookup.rhs]
        if not given or any(type(value) not in (int, str) for value in given):
            return None
        shape.append((type(lookup), lookup.lhs.target, tuple(type(v) is int for v in given)))
        values.extend(given)
    return values, (query.model, tuple(shape))


# (database, shape, cap): the statement, where each candidate parameter comes from (the n-th
# value, or a constant) and the shown rows' parameters. A few shapes per process.
_SHAPES: dict[tuple, tuple[str, list, tuple]] = {}


def _statement_of_shape(decisions: QuerySet, shape: tuple, cap: int) -> tuple[str, list, tuple]:
    """`_statement` for the decisions of this shape (`_shape`), compiled once: with stand-ins
    for the values and WORDS for the words."""
    key = (connection.vendor, shape, cap)
    if key not in _SHAPES:
        template = decisions.all()
        where = template.query.where
        children, count = [], 0
        for lookup, (_, _, kinds) in zip(where.children, shape[1], strict=True):
            stand_ins = [
                SENTINEL - (count + n) if number else str(SENTINEL - (count + n))
                for n, number in enumerate(kinds)
            ]
            count += len(kinds)
            rhs = stand_ins if isinstance(lookup, In) else stand_ins[0]
            children.append(type(lookup)(lookup.lhs, rhs))
        where.children = children
        statement, found, shown = _statement(template, WORDS)
        spec = []
        for param in found:
            number = _stand_in(param)
            n = SENTINEL - number if number is not None else -1
            spec.append((n, None) if 0 <= n < count else (None, param))
        _SHAPES[key] = statement, spec, shown
    return _SHAPES[key]


def _stand_in(param) -> int | None:
    if type(param) is int:
        return param
    if type(param) is str and param.lstrip("-").isdigit():
        return int(param)
    return None


@functools.cache
def _shown(vendor: str) -> tuple[str, tuple]:
    """What a result shows, the log's values with the tags' names, and its document's digest, as
    SQL: compiled once per process, since building the query through the ORM (2 ms) cost ten
    times running it."""
    shown = with_tag_names(Decision.objects.order_by())
    return shown.values(*LOG_VALUES, digest=F("search_document__digest")).query.sql_with_params()


def snippet_words(q: str) -> str:
    """What the snippets of a search depend on besides the documents: the words as the database
    reads them (PostgreSQL's websearch syntax, or the FTS5 expression made of it)."""
    if connection.vendor == "postgresql":
        return f"postgresql:{q}"
    return f"sqlite:{fts_query(q)}"


def snippets(q: str, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Where the words `q` are in these decisions' documents: for each id, its document's digest
    and the snippet as HTML (`mark`), both read in one statement, so a snippet is never filed
    under another text's digest. Each snippet re-reads and re-tokenises its document (ts_headline
    0.4 ms, FTS5's snippet() 0.2 ms), so only the page's rows not yet cached come here."""
    if not ids:
        return {}
    places = ", ".join(["%s"] * len(ids))
    if connection.vendor == "postgresql":
        sql, params = _headline_sql()
        params = [q if param == WORDS else param for param in params]
        statement = f"SELECT s_id, digest, snippet FROM ({sql}) AS h WHERE s_id IN ({places})"  # noqa: S608
    else:
        statement, params = FTS_SNIPPETS.format(places=places), [fts_query(q)]
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *ids])
        return {pk: (digest, mark(text or "")) for pk, digest, text in cursor.fetchall()}


# SQLite: the snippets of some matching documents, with the digest of the text cut.
FTS_SNIPPETS = (
    "SELECT rowid, "
    "(SELECT digest FROM search_searchdocument WHERE decision_id = search_fts.rowid), "
    "snippet(search_fts, -1, char(2), char(3), ' … ', 32) FROM search_fts "
    "WHERE search_fts MATCH %s AND rowid IN ({places})"
)
# Stands for the words searched in the headlines' SQL compiled once (`_headline_sql`).
WORDS = "\x00words\x00"


@functools.cache
def _headline_sql() -> tuple[str, tuple]:
    """PostgreSQL: each document's ts_headline and digest, as SQL compiled once per process with
    WORDS for the words searched (the ORM took 2–3 ms to build it)."""
    found = SearchDocument.objects.annotate(snippet=_headline(WORDS, via=""))
    values = found.values("digest", s_id=F("decision_id"), snippet=F("snippet"))
    return values.query.sql_with_params()


def ranked_pages(decisions: QuerySet, q: str, per_page: int, number) -> RankedPages:
    """Pages of these decisions matching `q`, best first, with their documents brought up to
    date first; `number` is the page the request asks for (`?page=`)."""
    refresh()
    return RankedPages(decisions, q, per_page, number)


class RankedPages:
    """Search results for a Paginator: the page asked for and the count come from one statement
    (`ranked`). Only a page past the last one costs a second statement, to count."""

    def __init__(self, decisions: QuerySet, q: str, per_page: int, number) -> None:
        self.decisions, self.q, self.per_page = decisions, q, per_page
        try:
            self.number = max(int(number), 1)
        except (TypeError, ValueError):
            self.number = 1
        self.fetched: dict[tuple[int, int], list[dict]] = {}
        self.total: int | None = None

    def _fetch(self, offset: int, limit: int) -> list[dict]:
        if (offset, limit) not in self.fetched:
            found, total = ranked(self.decisions, self.q, offset, limit)
            self.fetched[offset, limit] = found
            if found or offset == 0:
                self.total = total
        return self.fetched[offset, limit]

    def count(self) -> int:
        """How many are listed: the matches, or CANDIDATES when there are more (`capped`), as
        the page says "the best 200 are listed"."""
        if self.total is None:
            self._fetch((self.number - 1) * self.per_page, self.per_page)
        if self.total is None:  # past the last page: the first match counts them all
            self._fetch(0, 1)
        return min(self.total, CANDIDATES)

    @property
    def capped(self) -> bool:
        """Whether more than CANDIDATES match (the statement counts up to one more)."""
        return more_than(self.total or 0)

    def __getitem__(self, index: slice) -> list[dict]:
        # The Paginator cuts the last page at the count: it is the page already read.
        return self._fetch(index.start, self.per_page)[: index.stop - index.start]


def _headline(q: str, via: str = "search_document__") -> SearchHeadline:
    """PostgreSQL's snippet, from the first part of the text: ts_headline reads all it is given.
    `via`: the path from the model queried to its search document."""
    text = Concat(
        f"{via}head",
        Value("\n"),
        f"{via}body",
        Value("\n"),
        f"{via}comments",
        output_field=TextField(),
    )
    return SearchHeadline(
        Left(text, SNIPPET_SOURCE),
        SearchQuery(q, search_type="websearch", config=CONFIG),
        config=CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def mark(text: str) -> str:
    """A snippet as HTML: the text escaped, the matches in <mark>."""
    return html.escape(text, quote=False).replace(START, "<mark>").replace(STOP, "</mark>")
