from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from apps.core.http import paginate, render_partial

from .access import get_page_access
from .cache import rendered
from .filters import filters_for
from .listing import LogPages, LogResults
from .models import Decision

LOG_PAGE = 50


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    form, workspaces = filters_for(request)
    decisions = form.apply(Decision.objects.for_user(request.user, workspaces))
    context = {
        "form": form,
        "workspaces": workspaces,
        **paginate(
            request,
            LogPages(decisions, request.GET.get("page"), LOG_PAGE),
            LOG_PAGE,
            form.page_link,
        ),
    }
    page = context["page"]
    context["results"] = LogResults(
        page.object_list,
        len(workspaces) > 1,
        page.number,
        page.paginator.count,
        context["querystring_prev"],
        context["querystring_next"],
        bool(form.values),
        form=form,
    )
    return render_partial(request, "decisions/log.html", context, "results")


@login_required
@require_GET
def detail(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    # One query for the reader's rights, the row and its cache key; the record and its HTML
    # come from the cache, built once per revision (apps/decisions/cache.py).
    decision, membership = get_page_access(request, workspace_slug, number)
    # Read only where the page's main region is not in the cache whole (reviews' page_region).
    page = SimpleLazyObject(lambda: rendered(decision))
    context = {
        "decision": decision,
        "membership": membership,
        "record": SimpleLazyObject(lambda: page.record),
        "body": SimpleLazyObject(lambda: page.body),
    }
    return render(request, "decisions/detail.html", context)
