"""The one place that decides whether a request may see or change a decision."""

from __future__ import annotations

from typing import Any, NamedTuple

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


def get_row_for(
    request: HttpRequest, workspace_slug: str, number: int, queryset, to_decision: str
) -> tuple[Any, Decision] | None:
    """A row of a decision the user may edit, read with its decision in one query: the check
    of `get_access` (the member's role allows "edit", the decision is in their workspace), made
    on the row's own query so a keystroke's autosave stays within its few queries. None when
    the decision has no such row (the caller says whether that is a 404)."""
    if number > MAX_NUMBER:
        raise Http404("No such decision.")
    membership = get_membership(request, workspace_slug)
    if not membership.allows("edit"):
        raise PermissionDenied(f"Your role ({membership.role}) does not allow this.")
    row = (
        queryset.select_related(to_decision)
        .filter(**{f"{to_decision}__workspace": membership.workspace})
        .filter(**{f"{to_decision}__number": number})
        .first()
    )
    if row is None:
        return None
    decision = row
    for step in to_decision.split("__"):
        decision = getattr(decision, step)
    decision.workspace = membership.workspace
    return row, decision
