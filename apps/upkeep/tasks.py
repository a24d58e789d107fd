"""The reminders as a background task, for a worker to run on a schedule (see the README)."""

from __future__ import annotations

from django_tasks import task

from .reminders import send_reminders


@task()
def send_reminders_task() -> int:
    """Today's digests; safe to enqueue as often as you like (one digest a person a day)."""
    return send_reminders()
