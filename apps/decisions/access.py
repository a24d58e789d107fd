"""The one place that decides whether a request may see or change a decision."""

from __future__ import annotations

from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from apps.workspaces.access import get_membership
from apps.workspaces.models import Membership

from .models import Decision, DecisionQuerySet

MAX_NUMBER = 2_147_483_647


class Access(NamedTuple):
    """A decision and the membership that let the user reach it, which pages show rights by."""

    decision: Decision
    membership: Membership


def get_access(
    request: HttpRequest,
    workspace_slug: str,
    number: int,
    need: str = "view",
    queryset: DecisionQuerySet | None = None,
) -> Access:
    """The decision, if the user's role in its workspace allows `need`; else 404 or 403."""
    if number > MAX_NUMBER:  # beyond what a database integer holds: no such decision
        raise Http404("No such decision.")
    membership = get_membership(request, workspace_slug)
    if not membership.allows(need):
        raise PermissionDenied(f"Your role ({membership.role}) does not allow this.")
    queryset = queryset if queryset is not None else Decision.objects.all()
    decision = queryset.filter(workspace=membership.workspace, number=number).first()
    if decision is None:
        raise Http404("No such decision.")
    # Reuse the membership's workspace row so the page does not query it again.
    decision.workspace = membership.workspace
    return Access(decision, membership)


def get_decision_for(
    request: HttpRequest,
    workspace_slug: str,
    number: int,
    need: str = "view",
    queryset: DecisionQuerySet | None = None,
) -> Decision:
    """`get_access` for views that need only the decision."""
    return get_access(request, workspace_slug, number, need, queryset).decision
