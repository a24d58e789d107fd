from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class AuditEventQuerySet(models.QuerySet):
    """The audit log only grows: bulk changes through the ORM are refused."""

    def update(self, **kwargs):
        raise ValidationError("Audit events never change.")

    def delete(self):
        raise ValidationError("Audit events are never deleted.")


class AuditEvent(models.Model):
    """One thing that happened in a workspace: who did it, to what, and when."""

    # PROTECT: a workspace that has a history cannot quietly take it away with it.
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.PROTECT, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too: the event must still read right after the user is gone.
    actor_label = models.CharField(max_length=150, blank=True)
    verb = models.CharField(max_length=40)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    # Most events are about a decision: a real link lets the log point at it.
    decision = models.ForeignKey(
        "decisions.Decision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The audit page lists a workspace's events newest first, optionally by verb.
            models.Index(fields=["workspace", "-created_at"], name="audit_workspace_recent"),
            models.Index(fields=["workspace", "verb", "-created_at"], name="audit_workspace_verb"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.verb}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Audit events never change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit events are never deleted.")


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Every page counts the user's unread notifications in the header.
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.message}"


LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)


class LoginFailureQuerySet(models.QuerySet):
    def recent(self) -> LoginFailureQuerySet:
        return self.filter(at__gte=timezone.now() - LOGIN_FAILURE_WINDOW)

    def blocks(self, username: str, ip: str | None) -> bool:
        """Whether this username or address has failed too often lately to try again."""
        recent = self.recent()
        if username and recent.filter(username=username.lower()).count() >= LOGIN_FAILURE_LIMIT:
            return True
        return bool(ip) and recent.filter(ip=ip).count() >= LOGIN_FAILURE_LIMIT


class LoginFailure(models.Model):
    """A failed sign-in, kept in the database so every gunicorn worker sees the same count."""

    username = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = LoginFailureQuerySet.as_manager()

    class Meta:
        indexes = [
            # The throttle counts recent failures by name and by address on every sign-in.
            models.Index(fields=["username", "at"], name="login_failure_username"),
            models.Index(fields=["ip", "at"], name="login_failure_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.username or '?'} from {self.ip or '?'} at {self.at:%Y-%m-%d %H:%M}"
