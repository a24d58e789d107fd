"""Sign-in throttling: failed attempts, counted in the database so every worker sees them."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

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
