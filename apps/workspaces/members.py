"""Who belongs to a workspace, and in which role: changes that keep at least one admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F

from apps.activity.events import record_event

from .models import Membership, Role, Workspace

LAST_ADMIN = "A workspace needs at least one admin: make someone else an admin first."


def _other_admins(membership: Membership) -> int:
    # Lock every admin row, this one included, so two admins demoting each other at once queue
    # up: the second then reads the first's change and finds no other admin left.
    # SQLite ignores FOR UPDATE: a no-op write takes its database write lock instead.
    rows = Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.ADMIN)
    if connection.vendor == "sqlite":
        rows.update(role=F("role"))
    admins = list(rows.select_for_update().values_list("pk", flat=True))
    return len([pk for pk in admins if pk != membership.pk])


def create_workspace(user, name: str, slug: str, description: str = "") -> Workspace:
    """A new workspace, with its creator as its first admin."""
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name, slug=slug, description=description)
        Membership.objects.create(workspace=workspace, user=user, role=Role.ADMIN)
        record_event(workspace, user, "workspace_created", target=workspace)
    return workspace


def add_member(workspace: Workspace, user, role: str, by) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.create(workspace=workspace, user=user, role=role)
        record_event(workspace, by, "member_added", target=user, role=role)
    return membership


def change_role(membership: Membership, role: str, by) -> Membership:
    if role == membership.role:
        return membership
    with transaction.atomic():
        if membership.role == Role.ADMIN and _other_admins(membership) == 0:
            raise ValidationError(LAST_ADMIN)
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record_event(
            membership.workspace, by, "role_changed", target=membership.user, old=old, new=role
        )
    return membership


def remove_member(membership: Membership, by) -> None:
    with transaction.atomic():
        if membership.role == Role.ADMIN and _other_admins(membership) == 0:
            raise ValidationError(LAST_ADMIN)
        membership.delete()
        record_event(
            membership.workspace, by, "member_removed", target=membership.user, role=membership.role
        )
