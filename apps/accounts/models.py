"""Sign-in throttling: attempts, counted in the database so every worker sees them."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

# Failed sign-ins allowed for one account from one address: the lockout falls on that pair only,
# so a stranger guessing from elsewhere cannot lock the account's owner out.
LOGIN_FAILURE_LIMIT = 5
# Failed sign-ins allowed from one address across all accounts (one machine trying many names);
# higher, as an office behind one address shares it.
LOGIN_ADDRESS_LIMIT = 20
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)


class LoginFailureQuerySet(models.QuerySet):
    def recent(self) -> LoginFailureQuerySet:
        return self.filter(at__gte=timezone.now() - LOGIN_FAILURE_WINDOW)

    def begin(self, username: str, ip: str | None) -> LoginFailure | None:
        """Record a sign-in attempt before its password is checked; None if it may not be tried.

        The row is written (and committed) first and the count taken after, so of any number of
        attempts sent at once, the k-th to be written counts at least k rows: only the first
        LOGIN_FAILURE_LIMIT reach the password hasher. Checking first and writing after let 20
        parallel guesses all through. The caller deletes the row when the password is right.
        """
        username = username.lower()
        attempt = self.create(username=username, ip=ip)
        recent = self.recent()
        too_many = recent.filter(username=username, ip=ip).count() > LOGIN_FAILURE_LIMIT or (
            bool(ip) and recent.filter(ip=ip).count() > LOGIN_ADDRESS_LIMIT
        )
        if too_many:
            # A refused attempt is not a guess: dropping it keeps a flood from growing the table
            # and from stretching the lockout forever.
            attempt.delete()
            return None
        return attempt

    def forget(self, username: str, ip: str | None) -> None:
        """A good password clears this account's failures from this address only: clearing
        other addresses' would hand a guesser fresh tries each time the owner signs in."""
        self.filter(username=username.lower(), ip=ip).delete()


class LoginFailure(models.Model):
    """A failed sign-in (or one being checked), kept in the database so every gunicorn worker
    sees the same count."""

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
