"""The one place that decides whether a request may use a workspace: its member's membership."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from .models import Membership


def get_membership(request: HttpRequest, workspace_slug: str) -> Membership:
    """The user's membership of the workspace; 404 for outsiders, so workspaces stay private."""
    if not request.user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("workspace")
        .filter(workspace__slug=workspace_slug, user=request.user)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace.")
    return membership
