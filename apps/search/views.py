from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import CharField, F, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.decisions.models import Decision, Status, StatusChange
from apps.workspaces.access import get_membership
from apps.workspaces.models import Workspace

from .graph import workspace_graph
from .query import FilterForm, matching_by_index, search, snippet

PER_PAGE = 20


def finder(request: HttpRequest) -> tuple[FilterForm, list[Workspace]]:
    workspaces = list(Workspace.objects.for_user(request.user))
    return FilterForm(request.GET, workspaces=workspaces), workspaces


def page_of(request: HttpRequest, items, per_page: int):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def paging(form: FilterForm, page) -> dict:
    """Links to the pages around this one that keep every filter."""
    if page is None:
        return {}
    return {
        "page": page,
        "querystring_prev": form.querystring(page=page.previous_page_number())
        if page.has_previous()
        else "",
        "querystring_next": form.querystring(page=page.next_page_number())
        if page.has_next()
        else "",
    }


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form, workspaces = finder(request)
    q = form.values.get("q", "")
    page = None
    if q:
        decisions = form.apply(Decision.objects.for_user(request.user))
        with matching_by_index():
            page = page_of(request, search(decisions, q).for_log(), PER_PAGE)
            for decision in page:
                decision.snippet = snippet(decision, q)
    context = {"form": form, "q": q, "workspaces": workspaces, "page": page, **paging(form, page)}
    template = "search/search.html#results" if request.htmx else "search/search.html"
    return render(request, template, context)


TIMELINE_PAGE = 50


@login_required
@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    """Decisions and their status changes, newest first, filtered like the log."""
    form, workspaces = finder(request)
    decisions = form.apply(Decision.objects.for_user(request.user), dates=False)
    page = page_of(request, timeline_events(decisions, form.values), TIMELINE_PAGE)
    rows = list(page)
    by_pk = Decision.objects.for_log().in_bulk({r["e_decision"] for r in rows})
    users = get_user_model().objects.in_bulk({r["e_by"] for r in rows if r["e_by"]})
    events = [
        {
            "decision": by_pk.get(r["e_decision"]),
            "at": r["e_at"],
            "from_status": r["e_from"],
            "to_status": r["e_to"],
            "from_label": Status(r["e_from"]).label if r["e_from"] else "",
            "to_label": Status(r["e_to"]).label,
            "by": users.get(r["e_by"]),
            "reason": r["e_reason"],
        }
        for r in rows
    ]
    context = {"form": form, "workspaces": workspaces, "events": events, **paging(form, page)}
    template = "search/timeline.html#results" if request.htmx else "search/timeline.html"
    return render(request, template, context)


def timeline_events(decisions, values: dict):
    """Creations and status changes of these decisions as one dated list (a UNION query)."""
    text = CharField()
    created = decisions.annotate(
        e_decision=F("pk"),
        e_at=F("created_at"),
        e_from=Value("", output_field=text),
        e_to=Value("draft", output_field=text),
        e_by=F("owner_id"),
        e_reason=Value("", output_field=text),
    )
    changes = StatusChange.objects.filter(decision__in=decisions.values("pk")).annotate(
        e_decision=F("decision_id"),
        e_at=F("at"),
        e_from=F("from_status"),
        e_to=F("to_status"),
        e_by=F("by_id"),
        e_reason=F("reason"),
    )
    if "since" in values:
        created = created.filter(created_at__date__gte=values["since"])
        changes = changes.filter(at__date__gte=values["since"])
    if "until" in values:
        created = created.filter(created_at__date__lte=values["until"])
        changes = changes.filter(at__date__lte=values["until"])
    fields = ["e_decision", "e_at", "e_from", "e_to", "e_by", "e_reason"]
    first = created.order_by().values(*fields)
    second = changes.order_by().values(*fields)
    return first.union(second, all=True).order_by("-e_at")


@login_required
@require_GET
def graph(request: HttpRequest, slug: str) -> HttpResponse:
    membership = get_membership(request, slug)
    return render(
        request,
        "search/graph.html",
        {"workspace": membership.workspace, "graph": workspace_graph(membership.workspace)},
    )
