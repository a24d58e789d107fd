"""Lists of decisions (the log, search results) in a fixed, small number of queries.

Each row shows its tags. A prefetch costs a query per page; the names are read in the page's own
query instead, as one string per decision (GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery, Value

from .models import Decision, Tag

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
