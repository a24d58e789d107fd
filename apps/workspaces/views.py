from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.activity.events import record_event
from apps.activity.models import AuditEvent
from apps.activity.verbs import verb_choices
from apps.core.http import paginate, render_partial

from .access import get_membership
from .forms import RoleForm, WorkspaceForm, WorkspaceSettingsForm
from .members import change_role as set_role
from .members import create_workspace, remove_member
from .models import RIGHTS, Membership, Role

AUDIT_PAGE = 50

ROLE_HELP = {
    Role.VIEWER: "reads decisions, their reviews and versions, and downloads them",
    Role.AUTHOR: "also writes and edits drafts, submits them for review and replies to comments",
    Role.REVIEWER: "also is asked to review: comments, approves or requests changes",
    Role.ADMIN: "also manages members and roles and reads the audit log",
}


def _admin_membership(request: HttpRequest, workspace_slug: str) -> Membership:
    membership = get_membership(request, workspace_slug)
    if not membership.allows("admin"):
        raise PermissionDenied("Only the workspace's admins manage its members.")
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def workspaces(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workspace = create_workspace(
                request.user, data["name"], data["slug"], data["description"]
            )
        except IntegrityError:
            form.add_error("slug", "That link name was just taken: choose another.")
        else:
            messages.success(request, f"Created {workspace.name}. You are its admin.")
            return redirect("workspaces:members", workspace_slug=workspace.slug)
    mine = Membership.objects.filter(user=request.user).select_related("workspace")
    return render(
        request,
        "workspaces/workspaces.html",
        {"memberships": mine.order_by("workspace__name"), "form": form},
        status=400 if form.errors else 200,
    )


def _members_page(
    request: HttpRequest,
    membership: Membership,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    workspace = membership.workspace
    members = list(
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__username")
    )
    context = {
        "workspace": workspace,
        "membership": membership,
        "members": members,
        "roles": [(role, Role(role).label, ROLE_HELP[role], RIGHTS[role]) for role in Role],
        "role_choices": Role.choices,
        "notice": notice,
        "error": error,
    }
    return render_partial(request, "workspaces/members.html", context, "members", status=status)


def _done(request: HttpRequest, membership: Membership, notice: str) -> HttpResponse:
    if request.htmx:
        return _members_page(request, membership, notice=notice)
    messages.success(request, notice)
    return redirect("workspaces:members", workspace_slug=membership.workspace.slug)


def _refused(request: HttpRequest, membership: Membership, error: str) -> HttpResponse:
    if request.htmx:
        return _members_page(request, membership, error=error, status=400)
    messages.error(request, error)
    return redirect("workspaces:members", workspace_slug=membership.workspace.slug)


@login_required
@require_GET
def members(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    # Members are added by invitation only, which the accounts app sends and the person accepts.
    return _members_page(request, get_membership(request, workspace_slug))


def _member(membership: Membership, pk: int) -> Membership:
    target = get_object_or_404(
        Membership.objects.select_related("user", "workspace"),
        pk=pk,
        workspace=membership.workspace,
    )
    return target


@login_required
@require_POST
def change_role(request: HttpRequest, workspace_slug: str, pk: int) -> HttpResponse:
    membership = _admin_membership(request, workspace_slug)
    target = _member(membership, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _refused(request, membership, "Choose one of the roles.")
    try:
        set_role(target, form.cleaned_data["role"], by=request.user)
    except ValidationError as error:
        return _refused(request, membership, error.messages[0])
    if target.pk == membership.pk:
        # An admin who stepped down sees the page as their new role does.
        membership.role = target.role
    name = target.user.get_full_name() or target.user.get_username()
    return _done(request, membership, f"{name} is now {target.get_role_display().lower()}.")


@login_required
@require_POST
def remove(request: HttpRequest, workspace_slug: str, pk: int) -> HttpResponse:
    membership = _admin_membership(request, workspace_slug)
    target = _member(membership, pk)
    leaving = target.pk == membership.pk  # asked before the delete clears the pk
    try:
        remove_member(target, by=request.user)
    except ValidationError as error:
        return _refused(request, membership, error.messages[0])
    if leaving:
        # They can no longer see this page: take the whole window to their workspaces.
        messages.success(request, f"You left {membership.workspace.name}.")
        if request.htmx:
            return HttpResponseClientRedirect(reverse("workspaces:workspaces"))
        return redirect("workspaces:workspaces")
    name = target.user.get_full_name() or target.user.get_username()
    return _done(request, membership, f"Removed {name}.")


@login_required
@require_GET
def audit(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership(request, workspace_slug)
    if not membership.allows("admin"):
        raise PermissionDenied("Only the workspace's admins read its audit log.")
    workspace = membership.workspace
    events = AuditEvent.objects.filter(workspace=workspace).select_related("decision", "actor")
    # order_by() clears the newest-first ordering, which DISTINCT would otherwise count in,
    # listing each kind once per event.
    kinds = AuditEvent.objects.filter(workspace=workspace).order_by().values_list("verb", flat=True)
    verbs = verb_choices(kinds.distinct())
    verb = request.GET.get("verb", "")
    if verb:
        events = events.filter(verb=verb)

    def link(n: int) -> str:
        # The pages of a filtered log stay filtered.
        return f"verb={quote(verb)}&page={n}" if verb else f"page={n}"

    paged = paginate(request, events, AUDIT_PAGE, link)
    for event in paged["page"]:
        if event.decision is not None:
            event.decision.workspace = workspace
    context = {"workspace": workspace, "verbs": verbs, "verb": verb, **paged}
    return render_partial(request, "workspaces/audit.html", context, "events")


@login_required
@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership(request, workspace_slug)
    if not membership.allows("admin"):
        raise PermissionDenied("Only the workspace's admins change its settings.")
    workspace = membership.workspace
    own_host = request.get_host().rsplit(":", 1)[0]
    data = request.POST if request.method == "POST" else None
    form = WorkspaceSettingsForm(data, instance=workspace, own_host=own_host)
    if data is not None and form.is_valid():
        form.save()
        hosts = list(workspace.image_host_list)
        record_event(workspace, request.user, "settings_changed", target=workspace, images=hosts)
        messages.success(request, "Saved the workspace's settings.")
        return redirect("workspaces:settings", workspace_slug=workspace.slug)
    return render(
        request,
        "workspaces/settings.html",
        {"workspace": workspace, "membership": membership, "form": form},
        status=400 if form.errors else 200,
    )
