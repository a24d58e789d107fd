"""What the export job page says about a job still waiting for the worker."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone

from apps.workspaces.models import Membership, Role

register = template.Library()

# A queued job normally starts within seconds; after this long, something is wrong with the worker.
WORKER_LATE_AFTER = timedelta(minutes=2)


@register.simple_tag
def worker_is_late(job) -> bool:
    return job.state == "queued" and timezone.now() - job.created_at > WORKER_LATE_AFTER


@register.simple_tag
def is_workspace_admin(user, workspace) -> bool:
    """Only admins are told how the worker runs: everyone else just waits."""
    return Membership.objects.filter(workspace=workspace, user=user, role=Role.ADMIN).exists()
