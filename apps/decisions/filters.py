"""The filters the log, the timeline, search and the API share: workspace, status, tag, people
and dates, kept in the query string so every page of a list keeps them."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.http import HttpRequest
from django.utils import timezone

from apps.workspaces.models import Membership, Workspace

from .models import Decision, ParticipantRole, Status

# The filter fields typed into, and those picked from a fixed list (see `rendering_key`).
TYPED = ("tag", "owner", "maker", "since", "until")
CHOSEN = ("workspace", "review", "status")


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    workspace = forms.ChoiceField(required=False, label="Workspace")
    status = forms.MultipleChoiceField(
        required=False, choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    tag = forms.CharField(required=False, max_length=60)
    owner = forms.CharField(
        required=False,
        max_length=150,
        help_text="A name as the log shows it, or a username.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Dana Demo"}),
    )
    maker = forms.CharField(required=False, max_length=200, label="Decision maker")
    review = forms.ChoiceField(
        required=False,
        label="Review",
        choices=[("", "Any"), ("due", "Due in 30 days"), ("overdue", "Overdue")],
    )
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, workspaces: list[Workspace]):
        super().__init__(data)
        # A workspace is picked by slug among these, and filtered on by id: through a join on
        # the slug, PostgreSQL read the log's index from the first workspace on, 5,050 rows
        # for a page of 50 at 10,000 decisions.
        self.workspace_ids = {w.slug: w.pk for w in workspaces}
        self.fields["workspace"].choices = [("", "All workspaces")] + [
            (w.slug, w.name) for w in workspaces
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range is before its start.")
        return data

    @property
    def values(self) -> dict:
        """The valid filters; invalid ones are dropped (and shown as errors beside their field)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "", []) and name not in self.errors
        }

    def apply(self, decisions: QuerySet, dates: bool = True) -> QuerySet:
        """The decisions that pass every filter but the text query (see `search`).

        `dates=False` leaves the date range to the caller (the timeline dates events, not records).
        """
        v = self.values
        if "workspace" in v:
            decisions = decisions.filter(workspace_id=self.workspace_ids[v["workspace"]])
        if "status" in v:
            decisions = decisions.filter(status__in=v["status"])
        if "tag" in v:
            decisions = decisions.filter(tags__name__iexact=v["tag"])
        if "owner" in v:
            decisions = decisions.filter(owner_matches(v["owner"]))
        if "maker" in v:
            makers = Decision.objects.filter(
                participants__role=ParticipantRole.DECISION_MAKER,
                participants__name__icontains=v["maker"].strip(),
            )
            decisions = decisions.filter(pk__in=makers.values("pk"))
        if "review" in v:
            # Accepted decisions (here or elsewhere) whose review date is past, or within 30 days.
            today = timezone.localdate()
            if v["review"] == "overdue":
                due = {"review_by__lt": today}
            else:
                due = {"review_by__lte": today + datetime.timedelta(days=30)}
            decisions = decisions.filter(status__in=[Status.ACCEPTED, Status.ELSEWHERE], **due)
        if dates and ("since" in v or "until" in v):
            decisions = decisions.annotate(day=Coalesce("decided_on", TruncDate("updated_at")))
            if "since" in v:
                decisions = decisions.filter(day__gte=v["since"])
            if "until" in v:
                decisions = decisions.filter(day__lte=v["until"])
        # A tag join can repeat a decision; the pk subquery keeps the page query simple.
        return decisions.distinct() if "tag" in v else decisions

    @property
    def rendering_key(self) -> str:
        """What the filter fields' HTML is made of, for templates/decisions/_filters.html to cache
        it under; "" (not cached) once any text is typed into them. A widget shows checked or
        selected the options the query string names, so the key is those among the choices: a
        bounded set, a handful of variants in the cache whatever anyone sends."""
        if any(self.data.get(name, "").strip() for name in TYPED):
            return ""
        picked = []
        for name in CHOSEN:
            field = self.fields[name]
            offered = {str(value) for value, _ in field.choices}
            # As each widget reads the query string: every value, or the last one.
            many = isinstance(field, forms.MultipleChoiceField)
            given = self.data.getlist(name) if many else [self.data.get(name)]
            picked.append(sorted(set(given) & offered))
        # A field in error is marked so (aria-invalid): which ones is part of what shows.
        return repr((picked, sorted(self.errors), self.fields["workspace"].choices))

    def querystring(self, **changes) -> str:
        """These filters as a query string, with `changes` (e.g. page=3) applied."""
        pairs = []
        values = {**self.values, **changes}
        for name in [*self.fields, *changes]:
            value = values.get(name)
            if name in {p[0] for p in pairs} or value in (None, "", []):
                continue
            for item in value if isinstance(value, list) else [value]:
                pairs.append((name, str(item)))
        return urlencode(pairs)

    def page_link(self, number: int) -> str:
        return self.querystring(page=number)


def owner_matches(text: str) -> Q:
    """Owners matching what a person types for them, as the log shows them ("Dana Demo"):
    every word must begin their first name, last name or username, in any case, so "Dana
    Demo", "dana", "Demo", "Dan" and "demo" (the username) all find Dana Demo, and "Dana Smith"
    does not. At most eight words count, so a pasted paragraph stays one small query."""
    words = text.split()[:8]
    found = Q()
    for word in words:
        found &= (
            Q(owner__first_name__istartswith=word)
            | Q(owner__last_name__istartswith=word)
            | Q(owner__username__istartswith=word)
        )
    return found if words else Q(pk__in=[])


# The workspaces a user belongs to, in their order (by name), as every list reads them for its
# rights and its filters: Django's ORM compiled this join and built whole instances in 1.1 ms
# of CPU on PostgreSQL (0.6 on SQLite), this reads it in 0.4 (0.1).
MEMBER_WORKSPACES = """
SELECT w.id, w.slug, w.name FROM {workspace} w
JOIN {membership} m ON m.workspace_id = w.id
WHERE m.user_id = %s
ORDER BY w.name
"""
# The columns read; the instances defer every other field (read on access, never wrong).
WORKSPACE_FIELDS = ["id", "slug", "name"]


def member_workspaces(user) -> list[Workspace]:
    """`Workspace.objects.for_user(user)`, as instances holding only WORKSPACE_FIELDS."""
    if not user.is_authenticated:
        return []
    sql = MEMBER_WORKSPACES.format(
        workspace=Workspace._meta.db_table, membership=Membership._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        rows = cursor.fetchall()
    return [Workspace.from_db(connection.alias, WORKSPACE_FIELDS, row) for row in rows]


def filters_for(request: HttpRequest) -> tuple[FilterForm, list[Workspace]]:
    """The request's filters, offering the workspaces the user belongs to."""
    workspaces = member_workspaces(request.user)
    return FilterForm(request.GET, workspaces=workspaces), workspaces
