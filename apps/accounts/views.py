"""Signing in, invitations (sent by workspace admins, revoked, accepted), and the provider groups
that give roles in a workspace."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.activity.events import record_event
from apps.core.http import render_partial
from apps.workspaces.access import get_membership
from apps.workspaces.models import Membership, Role

from . import sso
from .forms import (
    GroupRoleForm,
    InviteForm,
    JoinForm,
    NameForm,
    ThrottledAuthenticationForm,
    ThrottledResetForm,
)
from .models import NOT_YOURS, GroupRole, Invitation
from .panel import TEMPLATE as PANEL
from .panel import panel_context

logger = logging.getLogger("adroit.accounts")

PASSWORDS_OFF = "Passwords are switched off here: sign in with {provider}."


class SignInView(auth_views.LoginView):
    """The sign-in page: the password form while local accounts are on, and the provider's
    button when single sign-on is set up. With local accounts off, a password POST is refused
    before any password is checked."""

    authentication_form = ThrottledAuthenticationForm

    def post(self, request, *args, **kwargs):
        if not settings.ADROIT_LOCAL_ACCOUNTS:
            refused = PASSWORDS_OFF.format(provider=sso.provider_name())
            context = self.get_context_data(refused=refused)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        return {
            **super().get_context_data(**kwargs),
            "sso": sso.enabled(),
            "sso_name": sso.provider_name(),
            "local_accounts": settings.ADROIT_LOCAL_ACCOUNTS,
        }


def _admin_membership(request: HttpRequest, workspace_slug: str) -> Membership:
    membership = get_membership(request, workspace_slug)
    if not membership.allows("admin"):
        raise PermissionDenied("Only the workspace's admins invite members.")
    return membership


def _panel(request, membership, form=None, status=200, **extra) -> HttpResponse:
    context = panel_context(membership, form, **extra)
    return render_partial(request, PANEL, context, "invitations", status=status)


def _send(request: HttpRequest, invitation: Invitation, token: str) -> None:
    link = request.build_absolute_uri(reverse("accounts:invitation", args=[token]))
    context = {"invitation": invitation, "inviter": request.user, "link": link}
    send_mail(
        render_to_string("registration/invite_subject.txt", context).strip(),
        render_to_string("registration/invite_email.txt", context),
        None,
        [invitation.email],
    )


@login_required
@require_POST
def invite(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    """The same answer whatever the address: whether it has an account here is not said."""
    membership = _admin_membership(request, workspace_slug)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _panel(request, membership, form, status=400)
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    name = form.cleaned_data["name"]
    try:
        invitation, token = Invitation.send(
            membership.workspace, email, role, by=request.user, name=name
        )
    except ValidationError as error:
        return _panel(request, membership, form, status=429, error=error.messages[0])
    who = f"{name} <{email}>" if name else email
    notice = f"Invited {who} as {Role(role).label.lower()}: they were emailed a link to join."
    try:
        _send(request, invitation, token)
    except OSError:  # SMTP errors included: the invitation stands and can be sent again
        logger.exception("Could not email invitation %s", invitation.pk)
        notice = f"Could not email {email} just now: revoke the invitation and send it again."
    if request.htmx:
        return _panel(request, membership, notice=notice)
    messages.success(request, notice)
    return redirect("workspaces:members", workspace_slug=workspace_slug)


@login_required
@require_POST
def revoke(request: HttpRequest, workspace_slug: str, pk: int) -> HttpResponse:
    membership = _admin_membership(request, workspace_slug)
    invitation = get_object_or_404(
        Invitation.objects.pending(), pk=pk, workspace=membership.workspace
    )
    invitation.revoke(by=request.user)
    notice = f"Revoked the invitation to {invitation.email}."
    if request.htmx:
        return _panel(request, membership, notice=notice)
    messages.success(request, notice)
    return redirect("workspaces:members", workspace_slug=workspace_slug)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: accept it signed in, or make an account through it and join."""
    found = Invitation.objects.for_token(token)
    if found is None:
        return render(request, "accounts/invitation.html", {"invalid": True}, status=404)
    context = {"invitation": found, "token": token, "form": None, "error": ""}
    user = request.user
    if user.is_authenticated:
        if request.method == "POST":
            try:
                found.accept(user)
            except ValidationError as error:
                context["error"] = error.messages[0]
                return render(request, "accounts/invitation.html", context, status=403)
            messages.success(request, f"You joined {found.workspace.name}.")
            return redirect("workspaces:members", workspace_slug=found.workspace.slug)
        if not found.may_be_accepted_by(user):
            context["error"] = NOT_YOURS
        return render(request, "accounts/invitation.html", context)
    if not settings.ADROIT_LOCAL_ACCOUNTS:
        # Accounts come from the provider only: sign in through it, then accept.
        context["sso_name"] = sso.provider_name()
        status = 403 if request.method == "POST" else 200
        return render(request, "accounts/invitation.html", context, status=status)
    form = JoinForm(request.POST if request.method == "POST" else None, invitation=found)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # no account is left behind when joining is refused
                account = form.save()
                found.accept(account)
        except ValidationError as error:
            context.update(form=form, error=error.messages[0])
            return render(request, "accounts/invitation.html", context, status=403)
        login(request, account, backend=settings.AUTHENTICATION_BACKENDS[0])
        welcome = f"Welcome, {account.first_name}: you joined {found.workspace.name}."
        messages.success(request, welcome)
        return redirect("workspaces:members", workspace_slug=found.workspace.slug)
    context["form"] = form
    return render(request, "accounts/invitation.html", context, status=400 if form.errors else 200)


class ResetView(auth_views.PasswordResetView):
    """Django's password reset, with the request handed to the form for its throttle."""

    form_class = ThrottledResetForm

    def dispatch(self, request, *args, **kwargs):
        if not settings.ADROIT_LOCAL_ACCOUNTS:
            raise Http404("Passwords are switched off here.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Your own name, and the addresses you sign in with."""
    user = request.user
    if request.method == "POST":
        form = NameForm(request.POST)
        if form.is_valid():
            form.save(user)
            messages.success(request, f"Saved: colleagues now see you as {user.get_full_name()}.")
            return redirect("accounts:account")
    else:
        form = NameForm(initial={"full_name": user.get_full_name()})
    status = 400 if form.errors else 200
    return render(request, "accounts/account.html", {"form": form}, status=status)


def _group_roles_page(request, membership, form=None, status=200) -> HttpResponse:
    workspace = membership.workspace
    context = {
        "workspace": workspace,
        "membership": membership,
        "mappings": GroupRole.objects.filter(workspace=workspace),
        "form": form or GroupRoleForm(),
        "sso": sso.enabled(),
        "sso_name": sso.provider_name(),
        "claim": settings.OIDC_GROUPS_CLAIM,
    }
    return render(request, "accounts/group_roles.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def group_roles(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    """Which provider groups give which role here. Saving a group already listed changes its
    role; people get it at their next sign-in."""
    membership = _admin_membership(request, workspace_slug)
    if request.method == "GET":
        return _group_roles_page(request, membership)
    form = GroupRoleForm(request.POST)
    if not form.is_valid():
        return _group_roles_page(request, membership, form, status=400)
    group, role = form.cleaned_data["group"], form.cleaned_data["role"]
    GroupRole.objects.update_or_create(
        workspace=membership.workspace, group=group, defaults={"role": role}
    )
    record_event(membership.workspace, request.user, "group_role_set", group=group, role=role)
    label = Role(role).label.lower()
    messages.success(request, f"People in {group} become {label}s here at their next sign-in.")
    return redirect("accounts:group-roles", workspace_slug=workspace_slug)


@login_required
@require_POST
def remove_group_role(request: HttpRequest, workspace_slug: str, pk: int) -> HttpResponse:
    membership = _admin_membership(request, workspace_slug)
    mapping = get_object_or_404(GroupRole, pk=pk, workspace=membership.workspace)
    mapping.delete()
    record_event(membership.workspace, request.user, "group_role_removed", group=mapping.group)
    notice = (
        f"Removed {mapping.group}. Memberships it gave end at each person's next sign-in; "
        "remove them on the members page to end them now."
    )
    messages.success(request, notice)
    return redirect("accounts:group-roles", workspace_slug=workspace_slug)
