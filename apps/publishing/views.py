from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.activity.events import record_event
from apps.workspaces.access import get_membership

from .forms import RepositoryForm
from .models import Repository
from .tasks import pull_repository

EVENTS_SHOWN = 30


def _admin_workspace(request: HttpRequest, workspace_slug: str):
    membership = get_membership(request, workspace_slug)
    if not membership.allows("admin"):
        raise PermissionDenied("Only the workspace's admins manage its repository.")
    return membership.workspace


@login_required
@require_http_methods(["GET", "POST"])
def repository(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    workspace = _admin_workspace(request, workspace_slug)
    repo = Repository.objects.filter(workspace=workspace).first()
    form = RepositoryForm(request.POST or None, instance=repo or Repository(workspace=workspace))
    if request.method == "POST":
        if form.is_valid():
            saved = form.save()
            record_event(
                workspace, request.user, "repository_linked", target=workspace, url=saved.url
            )
            messages.success(request, "Saved. Pull now to bring the repository's files in.")
            return redirect("publishing:repository", workspace_slug=workspace_slug)
        status = 400
    else:
        status = 200
    events = (
        repo.events.select_related("decision").order_by("-at", "-id")[:EVENTS_SHOWN] if repo else []
    )
    context = {"workspace": workspace, "repo": repo, "form": form, "events": events}
    return render(request, "publishing/repository.html", context, status=status)


@login_required
@require_POST
def pull_now(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    workspace = _admin_workspace(request, workspace_slug)
    repo = Repository.objects.filter(workspace=workspace).first()
    if repo is None:
        messages.error(request, "Link a repository first.")
        return redirect("publishing:repository", workspace_slug=workspace_slug)
    record_event(workspace, request.user, "repository_pull_requested", target=workspace)
    user_id = request.user.pk
    # The remote may be slow: the worker pulls (and pushes what git lacks) after this commits.
    transaction.on_commit(lambda: pull_repository.enqueue(repo.pk, user_id))
    messages.success(request, "Sync queued: this page shows what it did once it is done.")
    return redirect("publishing:repository", workspace_slug=workspace_slug)
