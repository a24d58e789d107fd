"""The invitation region of a workspace's members page, shared by its views and template tag."""

from __future__ import annotations

from apps.workspaces.models import Membership

from .forms import InviteForm
from .models import Invitation

TEMPLATE = "accounts/invitations.html"


def panel_context(membership: Membership, form: InviteForm | None = None, **extra) -> dict:
    """The form and the pending invitations: name, address and date only, to the workspace's
    admins."""
    workspace = membership.workspace
    pending = (
        Invitation.objects.pending().filter(workspace=workspace).only("email", "name", "created_at")
    )
    return {
        "workspace": workspace,
        "membership": membership,
        "form": form or InviteForm(),
        "pending": pending,
        **extra,
    }
