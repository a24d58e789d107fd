from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import CharField, F, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.core.http import paginate, render_partial
from apps.decisions.filters import filters_for
from apps.decisions.models import Decision, Status, StatusChange
from apps.workspaces.access import get_membership

from .graph import workspace_graph
from .query import CANDIDATES, ranked_pages
from .results import result_rows

PER_PAGE = 20


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form, workspaces = filters_for(request)
    q = form.values.get("q", "")
    context = {"form": form, "q": q, "workspaces": workspaces, "page": None, "rows": []}
    if q:
        # The rights as a list of workspace ids, read once with the filters' workspaces.
        decisions = form.apply(Decision.objects.for_user(request.user, workspaces))
        pages = ranked_pages(decisions, q, PER_PAGE, request.GET.get("page"))
        context.update(paginate(request, pages, PER_PAGE, form.page_link))
        context["rows"] = result_rows(context["page"], len(workspaces) > 1, q)
        # Ranking stops at CANDIDATES matches: past that the page says "more than 200".
        context["more_than"] = CANDIDATES if pages.capped else 0
    return render_partial(request, "search/search.html", context, "results")


TIMELINE_PAGE = 50


@login_required
@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    """Decisions and their status changes, newest first, filtered like the log."""
    form, workspaces = filters_for(request)
    decisions = form.apply(Decision.objects.for_user(request.user), dates=False)
    events = timeline_events(decisions, form.values)
    paged = paginate(request, events, TIMELINE_PAGE, form.page_link)
    rows = list(paged["page"])
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
    context = {"form": form, "workspaces": workspaces, "events": events, **paged}
    return render_partial(request, "search/timeline.html", context, "results")


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
def graph(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership(request, workspace_slug)
    return render(
        request,
        "search/graph.html",
        {"workspace": membership.workspace, "graph": workspace_graph(membership.workspace)},
    )
