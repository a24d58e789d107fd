from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.core.http import paginate, render_partial

from .access import get_access
from .filters import filters_for
from .models import Decision
from .rendering import page_link_for, record_html

LOG_PAGE = 50


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    form, workspaces = filters_for(request)
    decisions = form.apply(Decision.objects.for_user(request.user)).for_log()
    # By workspace (the order they were made in), newest number first: the order of an index.
    ordered = decisions.order_by("workspace_id", "-number")
    context = {
        "form": form,
        "workspaces": workspaces,
        **paginate(request, ordered, LOG_PAGE, form.page_link),
    }
    return render_partial(request, "decisions/log.html", context, "results")


@login_required
@require_GET
def detail(request: HttpRequest, workspace_slug: str, number: int) -> HttpResponse:
    decision, membership = get_access(
        request, workspace_slug, number, queryset=Decision.objects.with_record()
    )
    record = decision.to_record()
    context = {
        "decision": decision,
        "membership": membership,
        "record": record,
        "body": record_html(
            record, page_link_for(workspace_slug), decision.workspace.image_host_list
        ),
    }
    return render(request, "decisions/detail.html", context)
