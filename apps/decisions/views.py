from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.exports.render import page_link_for, record_html

from .access import get_decision_for
from .models import Decision

LOG_PAGE = 50


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    # The search app owns the filters; the log is their unranked, paged listing.
    from apps.search.views import finder, page_of, paging

    form, workspaces = finder(request)
    decisions = form.apply(Decision.objects.for_user(request.user)).for_log()
    # By workspace (the order they were made in), newest number first: the order of an index.
    page = page_of(request, decisions.order_by("workspace_id", "-number"), LOG_PAGE)
    context = {"form": form, "workspaces": workspaces, **paging(form, page)}
    template = "decisions/log.html#results" if request.htmx else "decisions/log.html"
    return render(request, template, context)


@login_required
@require_GET
def detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    decision = get_decision_for(request, slug, number, queryset=Decision.objects.with_record())
    record = decision.to_record()
    from apps.search.graph import neighbourhood

    return render(
        request,
        "decisions/detail.html",
        {
            "decision": decision,
            "record": record,
            "body": record_html(record, page_link_for(slug)),
            "graph": neighbourhood(decision) if record.relations else None,
        },
    )
