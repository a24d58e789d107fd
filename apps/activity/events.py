"""Audit log and notifications: the two calls other apps make when something happens.

record_event(workspace, request.user, "approved", target=decision, sha256=...)
notify(reviewer, "Ada asks you to review ADR-0007.", url="/w/platform/decisions/7/")
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction

from .models import AuditEvent, Notification

logger = logging.getLogger("adroit.activity")


def _label(obj) -> str:
    return str(obj)[:300]


def _actor_label(actor) -> str:
    """The name people know them by, and the username that tells two Sam Lees apart: still
    readable after the account is gone."""
    username, name = actor.get_username(), actor.get_full_name()
    label = f"{name} ({username})" if name else username
    return label if len(label) <= 150 else username[:150]


def record_event(workspace, actor, verb: str, target=None, **data) -> AuditEvent:
    """Append one row to the workspace's audit log. `data` must be JSON-serialisable."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        workspace=workspace,
        actor=actor,
        actor_label=_actor_label(actor) if actor else "",
        verb=verb,
        data=data,
    )
    if target is not None:
        if isinstance(target, models.Model):
            event.target_type = target._meta.label_lower
            event.target_id = str(target.pk)
            # By label, not by class: the audit log sits below the apps whose objects it records.
            if event.target_type == "decisions.decision":
                event.decision = target
        event.target_label = _label(target)
    event.save()
    return event


def site_url(path: str) -> str:
    """An absolute link for emails, which have no request to take the host from."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def notify(user, message: str, url: str = "", email: bool = True) -> Notification:
    """An in-app notification, and an email once the surrounding transaction commits."""
    notification = Notification.objects.create(user=user, message=message[:500], url=url)
    if email and user.email:
        body = f"{message}\n\n{site_url(url)}\n" if url else f"{message}\n"

        def send() -> None:
            try:
                send_mail(f"[Adroit] {message[:120]}", body, None, [user.email])
            except Exception:  # An unreachable mail server must not undo the work.
                logger.exception("Could not email %s", user.email)

        # A rolled-back review must not have emailed anyone about it.
        transaction.on_commit(send)
    return notification
