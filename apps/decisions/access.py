"""The one place that decides whether a request may see or change a decision."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.http import Http404, HttpRequest

from apps.workspaces.access import get_membership
from apps.workspaces.models import Membership, Workspace

from .cache import RELATED, stamp_sql
from .models import Decision, DecisionQuerySet

MAX_NUMBER = 2_147_483_647


class Access(NamedTuple):
    """A decision and the membership that let the user reach it, which pages show rights by."""

    decision: Decision
    membership: Membership


def _check_number(number: int) -> None:
    if number > MAX_NUMBER:  # beyond what a database integer holds: no such decision
        raise Http404("No such decision.")


def _require(membership: Membership, need: str) -> None:
    """403 unless the member's role allows `need`: the rule every way to a decision applies."""
    if not membership.allows(need):
        raise PermissionDenied(f"Your role ({membership.role}) does not allow this.")


def get_access(
    request: HttpRequest,
    workspace_slug: str,
    number: int,
    need: str = "view",
    queryset: DecisionQuerySet | None = None,
) -> Access:
    """The decision, if the user's role in its workspace allows `need`; else 404 or 403."""
    _check_number(number)
    membership = get_membership(request, workspace_slug)
    _require(membership, need)
    queryset = queryset if queryset is not None else Decision.objects.all()
    decision = queryset.filter(workspace=membership.workspace, number=number).first()
    if decision is None:
        raise Http404("No such decision.")
    # Reuse the membership's workspace row so the page does not query it again.
    decision.workspace = membership.workspace
    return Access(decision, membership)


def get_decision_for(
    request: HttpRequest,
    workspace_slug: str,
    number: int,
    need: str = "view",
    queryset: DecisionQuerySet | None = None,
) -> Decision:
    """`get_access` for views that need only the decision."""
    return get_access(request, workspace_slug, number, need, queryset).decision


def get_row_for(
    request: HttpRequest, workspace_slug: str, number: int, queryset, to_decision: str
) -> tuple[Any, Decision] | None:
    """A row of a decision the user may edit, read with its decision in one query: the check
    of `get_access` (the member's role allows "edit", the decision is in their workspace), made
    on the row's own query so a keystroke's autosave stays within its few queries. None when
    the decision has no such row (the caller says whether that is a 404)."""
    _check_number(number)
    membership = get_membership(request, workspace_slug)
    _require(membership, "edit")
    row = (
        queryset.select_related(to_decision)
        .filter(**{f"{to_decision}__workspace": membership.workspace})
        .filter(**{f"{to_decision}__number": number})
        .first()
    )
    if row is None:
        return None
    decision = row
    for step in to_decision.split("__"):
        decision = getattr(decision, step)
    decision.workspace = membership.workspace
    return row, decision


class _Table(NamedTuple):
    """A model's columns in a hand-written query, with what the ORM would convert them by."""

    model: type[models.Model]
    names: list[str]
    converters: list[list]
    columns: list


def _table(model: type[models.Model]) -> _Table:
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    columns = [field.get_col(table) for field in fields]
    converters = [
        connection.ops.get_db_converters(col) + col.get_db_converters(connection) for col in columns
    ]
    return _Table(model, [f.attname for f in fields], converters, columns)


def _instance(table: _Table, values: tuple) -> models.Model:
    converted = []
    for value, converters, column in zip(values, table.converters, table.columns, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return table.model.from_db(connection.alias, table.names, converted)


_page_reads: dict[str, tuple[str, list[_Table]]] = {}


def _page_read() -> tuple[str, list[_Table]]:
    """The decision page's one read, written once per process: the reader's membership and its
    workspace, the decision with its owner, and its related stamp (apps/decisions/cache.py)."""
    if connection.vendor not in _page_reads:
        tables = [_table(m) for m in (Membership, Workspace, Decision, get_user_model())]
        quote = connection.ops.quote_name
        select = ", ".join(
            f"{quote(t.model._meta.db_table)}.{quote(c.target.column)}"
            for t in tables
            for c in t.columns
        )
        m, w, d, u = (quote(t.model._meta.db_table) for t in tables)
        # Table and column names from the models; the three values are parameters.
        sql = (
            f"SELECT {select}, {stamp_sql(RELATED, 'other')} FROM {m} "  # noqa: S608
            f"INNER JOIN {w} ON {w}.id = {m}.workspace_id "
            f"LEFT OUTER JOIN {d} ON {d}.workspace_id = {w}.id AND {d}.number = %s "
            f"LEFT OUTER JOIN {u} ON {u}.id = {d}.owner_id "
            f"WHERE {w}.slug = %s AND {m}.user_id = %s"
        )
        _page_reads[connection.vendor] = (sql, tables)
    return _page_reads[connection.vendor]


def get_page_access(request: HttpRequest, workspace_slug: str, number: int) -> Access:
    """`get_access` for the decision page, in one query: the membership, its workspace, the
    decision, its owner and what its cache key is made of (as `cache.with_page_key` reads it).
    Building those querysets cost more CPU than the rest of a page read from the cache."""
    _check_number(number)
    if not request.user.is_authenticated:
        raise Http404
    sql, tables = _page_read()
    with connection.cursor() as cursor:
        cursor.execute(sql, [number, workspace_slug, request.user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such workspace.")
    values, start = [], 0
    for table in tables:
        values.append(row[start : start + len(table.names)])
        start += len(table.names)
    membership = _instance(tables[0], values[0])
    membership.workspace = _instance(tables[1], values[1])
    membership.user = request.user
    _require(membership, "view")
    if values[2][0] is None:
        raise Http404("No such decision.")
    decision = _instance(tables[2], values[2])
    decision.workspace = membership.workspace
    decision.owner = _instance(tables[3], values[3]) if decision.owner_id else None
    decision.page_related = row[start]
    return Access(decision, membership)
