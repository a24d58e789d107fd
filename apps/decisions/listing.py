"""Lists of decisions (the log, search results) in a fixed, small number of queries.

Each row shows its tags. A prefetch costs a query per page; the names are read in the page's own
query instead, as one string per decision (GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL).

The log's rows are rendered once per what they show (`log_rows`): the key is a digest of every
value a row displays, so a changed title, status, owner, tag or review date is a new key, and
the rows of a page come from the cache in one round trip. Which rows a user sees is decided by
the page's query on every request; a row's HTML holds nothing of the reader.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery, Value
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from apps.workspaces.models import Workspace

from .cache import shown_digest
from .models import Decision, Tag

if TYPE_CHECKING:
    from .filters import FilterForm

# Cannot be typed into a tag name through any form: the unit separator.
SEPARATOR = "\x1f"


class TagNames(Aggregate):
    """Names joined by SEPARATOR: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def __init__(self, expression) -> None:
        super().__init__(expression, Value(SEPARATOR))

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


def with_tag_names(decisions: QuerySet) -> QuerySet:
    """These decisions with `tag_names` read in the same query, and no tag prefetch."""
    names = (
        Tag.objects.filter(decisions=OuterRef("pk"))
        .order_by()
        .values("decisions")
        .annotate(names=TagNames("name"))
        .values("names")
    )
    return decisions.prefetch_related(None).annotate(tag_names=Subquery(names))


def tag_lists(decisions: Iterable[Decision]) -> None:
    """Set `tag_list` (sorted names) on each decision read through `with_tag_names`."""
    for decision in decisions:
        names = getattr(decision, "tag_names", None) or ""
        decision.tag_list = sorted(names.split(SEPARATOR)) if names else []


ROW_TEMPLATE = "decisions/log.html#log-row"
# Bump when the log's content (decisions/log.html, its links or filter box) changes.
PAGE_VERSION = 1
# Bump when the row's template or what it shows changes: Redis outlives a deploy.
ROW_VERSION = 1
# Entries are superseded, never invalidated; a day bounds what an unread one costs.
ROW_TIMEOUT = 24 * 60 * 60
# What a row shows, read as plain values: on a cache hit no model instance is built (for 50
# rows that was a third of the log's time), and every one of them is in the row's key.
LOG_VALUES = (
    "pk",
    "number",
    "title",
    "status",
    "updated_at",
    "review_by",
    "workspace_id",
    "workspace__slug",
    "workspace__name",
    "owner_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "tag_names",
)


def log_values(decisions: QuerySet) -> QuerySet:
    """These decisions as the log's rows read them (`log_rows`), tags included, in one query."""
    return with_tag_names(decisions).values(*LOG_VALUES)


# The log's order, that of the index `decision_log_order`: by workspace, newest number first.
LOG_ORDER = ("workspace_id", "-number")

# The page query, with what each row shows. Django's ORM built and compiled the query of
# `log_values` (joins, a tag subquery, converters, a dict per row) in 2.5 ms of the log's
# 10 ms of CPU; it compiles only the choice of the decisions (rights and filters, once per
# request: `LogPages`) and this reads a page's rows as tuples. Dates are read as text, as
# stored: they are only part of a row's key until the row is rendered, and PostgreSQL's 50
# timestamps made into datetimes cost 0.3 ms a page. Column order is ROW_COLUMNS', then the
# total when asked for (`{count}`), counted in the same statement.
PAGE_SQL = """
SELECT d.id, d.number, d.title, d.status, CAST(d.updated_at AS TEXT),
    CAST(d.review_by AS TEXT), d.workspace_id, w.slug, w.name,
    d.owner_id, u.username, u.first_name, u.last_name,
    (SELECT {names} FROM {tag} t JOIN {tags} dt ON dt.tag_id = t.id
     WHERE dt.decision_id = d.id),
    CASE WHEN d.review_by < %s THEN 1 ELSE 0 END{count}
FROM (SELECT chosen.id FROM ({chosen}) chosen
      ORDER BY chosen.workspace_id, chosen.number DESC LIMIT %s OFFSET %s) page
JOIN {decision} d ON d.id = page.id
JOIN {workspace} w ON w.id = d.workspace_id
LEFT JOIN {user} u ON u.id = d.owner_id
ORDER BY d.workspace_id, d.number DESC
"""
COUNTED = """,
    (SELECT COUNT(*) FROM ({chosen}) counted)"""
ROW_COLUMNS = (*LOG_VALUES, "overdue")


def _page_sql(chosen: str, counted: bool) -> str:
    tags = Decision.tags.through._meta.db_table
    aggregate = "STRING_AGG" if connection.vendor == "postgresql" else "GROUP_CONCAT"
    # Table names, Django's own compiled query and our own constant text; every value is a
    # parameter.
    return PAGE_SQL.format(
        names=f"{aggregate}(t.name, %s)",
        count=COUNTED.format(chosen=chosen) if counted else "",
        tag=Tag._meta.db_table,
        tags=tags,
        chosen=chosen,
        decision=Decision._meta.db_table,
        workspace=Workspace._meta.db_table,
        user=get_user_model()._meta.db_table,
    )


class LogPages:
    """The log's rows for a Paginator: the total, counted on the decisions alone, and a page
    read as tuples in ROW_COLUMNS' order (`__getitem__`). Counted through the rows' joins
    (workspace, owner), SQLite read every row of the table: 112 ms against 5 ms at 10,000
    decisions.

    The choice of decisions is compiled once, and given the page asked for (`number`, as
    `?page=` gives it, of `per_page` rows), the total and that page are read in one statement
    when the Paginator asks for the total: one round trip and one compilation fewer."""

    def __init__(self, decisions: QuerySet, number=None, per_page: int = 0) -> None:
        self.decisions = decisions
        try:
            first = (int(number or 1) - 1) * per_page
        except (TypeError, ValueError):
            first = 0  # The Paginator shows the first page for what is no number.
        self._first = first if per_page and first >= 0 else None
        self._per_page = per_page
        self._total: int | None = None
        self._rows: list[tuple] | None = None

    @cached_property
    def _chosen(self) -> tuple[str, tuple] | None:
        """The chosen decisions' SQL (id and the log's order), or None when nothing can be."""
        chosen = self.decisions.order_by().values_list("id", "workspace_id", "number")
        if chosen.query.is_empty():
            return None
        return chosen.query.sql_with_params()

    def count(self) -> int:
        if self._total is None and self._first is not None and self._rows is None:
            self._rows = self._read(self._first, self._per_page, counted=True)
        if self._total is None:
            self._total = self._count()
        return self._total

    def _count(self) -> int:
        if self._chosen is None:
            return 0
        sql, params = self._chosen
        with connection.cursor() as cursor:
            # Django's own compiled query; every value in it is a parameter.
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) chosen", params)  # noqa: S608
            return cursor.fetchone()[0]

    def __getitem__(self, index: slice) -> list[tuple]:
        start = index.start or 0
        size = index.stop - start
        if self._rows is not None and start == self._first and size <= self._per_page:
            return self._rows[:size]
        return self._read(start, size)

    def _read(self, offset: int, limit: int, counted: bool = False) -> list[tuple]:
        if self._chosen is None or limit <= 0:
            return []
        sql, params = self._chosen
        values = [SEPARATOR, timezone.localdate(), *(params if counted else ())]
        with connection.cursor() as cursor:
            cursor.execute(_page_sql(sql, counted), [*values, *params, limit, offset])
            rows = cursor.fetchall()
        if counted and rows:
            # Every row carries the total; without rows (past the last page) it is counted
            # on its own.
            self._total = rows[0][-1]
            rows = [row[:-1] for row in rows]
        return rows


def _row_key(row: tuple, show_workspace: bool) -> str:
    """A row's key: every value it shows (ROW_COLUMNS, as the page query read them)."""
    shown = list(row)
    if not show_workspace:
        shown[ROW_COLUMNS.index("workspace__name")] = None
    shown.append(show_workspace)
    return f"logrow:{ROW_VERSION}:{row[0]}:{shown_digest(shown)}"


def _decision(row: tuple) -> Decision:
    """A decision built from a row's values, for the template (its link, ref, status label and
    owner's name are the model's own), without a query. The HTML is made from the very values
    its key is made of, so no entry can hold other values than its key says."""
    values = dict(zip(ROW_COLUMNS, row, strict=True))
    # As stored: PostgreSQL's text has the offset, SQLite's is UTC without one.
    updated_at = parse_datetime(values["updated_at"])
    if timezone.is_naive(updated_at):
        updated_at = timezone.make_aware(updated_at, datetime.UTC)
    values["updated_at"] = updated_at
    values["review_by"] = values["review_by"] and parse_date(values["review_by"])
    return decision_from_values(values)


def decision_from_values(values: dict) -> Decision:
    """An unsaved decision holding what a list row shows (`LOG_VALUES`, typed as the ORM reads
    them; `review_by` where the row shows it), for a row's template: the log's and search's."""
    decision = Decision(
        pk=values["pk"],
        number=values["number"],
        title=values["title"],
        status=values["status"],
        updated_at=values["updated_at"],
        review_by=values.get("review_by"),
        workspace=Workspace(
            pk=values["workspace_id"],
            slug=values["workspace__slug"],
            name=values["workspace__name"],
        ),
    )
    if values["owner_id"] is not None:
        decision.owner = get_user_model()(
            pk=values["owner_id"],
            username=values["owner__username"],
            first_name=values["owner__first_name"],
            last_name=values["owner__last_name"],
        )
    names = values["tag_names"] or ""
    decision.tag_list = sorted(names.split(SEPARATOR)) if names else []
    return decision


def log_rows(rows: list[tuple], show_workspace: bool) -> list[SafeString]:
    """The log's rows as HTML, each from the cache (one round trip for the page) or rendered
    and stored; `rows` as `LogPages` reads them."""
    keys = [_row_key(row, show_workspace) for row in rows]
    found = cache.get_many(keys)
    html, fresh = [], {}
    for row, key in zip(rows, keys, strict=True):
        part = found.get(key)
        if part is None:
            context = {
                "decision": _decision(row),
                "show_workspace": show_workspace,
                "overdue": bool(row[-1]),
            }
            part = fresh[key] = SafeString(render_to_string(ROW_TEMPLATE, context))
        html.append(part)
    if fresh:
        cache.set_many(fresh, ROW_TIMEOUT)
    return html


class LogResults:
    """The log's results region (its rows and pager) for the `{% cache %}` around it in
    decisions/log.html: `key` is made of every value the region shows (each row's values as
    read on this request, the page, the total, the pager's links, whether filters apply), so a
    read after any change is a new key; `rows` is rendered only when the region is not cached.
    One cache round trip for the region replaced 50 keys and 50 entries read (1 ms a read)."""

    def __init__(
        self, rows: list[tuple], show_workspace: bool, *shown, form: FilterForm | None = None
    ) -> None:
        self._rows, self.show_workspace, self._form = rows, show_workspace, form
        self.key = f"{ROW_VERSION}:{shown_digest((rows, show_workspace, shown))}"

    @cached_property
    def page_key(self) -> str:
        """The key of the log's whole content (decisions/log.html): the results' key, the filter
        fields' (the choices picked among those offered, which are the reader's workspaces, as
        the page's links are) and the filters' query string (its links); "" (not cached whole)
        once text is typed, as the filter fields are not, so a cached page per query string is
        never made. One read instead of two, and the links' 20 URLs not reversed: 1.2 ms of the
        log's CPU."""
        form = self._form
        if form is None or not form.rendering_key or form.data.get("q", "").strip():
            return ""
        shown = (self.key, form.rendering_key, form.querystring())
        return f"{PAGE_VERSION}:{shown_digest(shown)}"

    @cached_property
    def rows(self) -> list[SafeString]:
        return log_rows(self._rows, self.show_workspace)
