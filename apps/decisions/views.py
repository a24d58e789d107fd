from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.exports.render import page_link_for, record_html
from apps.workspaces.models import Workspace

from .access import get_decision_for
from .models import Decision


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    workspaces = list(Workspace.objects.for_user(request.user))
    decisions = (
        Decision.objects.for_user(request.user).for_log().order_by("workspace__name", "-number")
    )
    chosen = request.GET.get("workspace", "")
    if chosen:
        decisions = decisions.filter(workspace__slug=chosen)
    return render(
        request,
        "decisions/log.html",
        {"decisions": decisions, "workspaces": workspaces, "chosen_workspace": chosen},
    )


@login_required
@require_GET
def detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    decision = get_decision_for(request, slug, number, queryset=Decision.objects.with_record())
    record = decision.to_record()
    return render(
        request,
        "decisions/detail.html",
        {
            "decision": decision,
            "record": record,
            "body": record_html(record, page_link_for(slug)),
        },
    )
