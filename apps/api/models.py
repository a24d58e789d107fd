"""API tokens: one per purpose, per person; only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

PREFIX = "adroit_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'CI check'.")
    # SHA-256 of the token: a leaked database does not leak working tokens.
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(
        max_length=16, help_text="The token's first characters, to tell it apart."
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…) of {self.user}"

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        """A new token; the plain text is returned once and never stored."""
        token = PREFIX + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user, name=name, key_hash=digest(token), hint=token[: len(PREFIX) + 6]
        )
        return row, token

    @classmethod
    def user_for(cls, token: str):
        """The active user the token belongs to, or None."""
        if not token.startswith(PREFIX) or len(token) > 200:
            return None
        row = (
            cls.objects.active()
            .select_related("user")
            .filter(key_hash=digest(token), user__is_active=True)
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        # One write a minute at most: reads should not turn into a write each.
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="api_tokens_die_with_password")
def revoke_tokens_on_new_password(sender, instance, created: bool, **kwargs) -> None:
    """A new password revokes every token: whoever took over the account, or learnt the old
    password, must not keep reading through a token made with it.

    `_password` holds the new plain password from `set_password` until the save completes, on
    every path that changes it (the reset and admin forms, `changepassword`, the shell); Django
    clears it for a hash upgrade at sign-in, which is not a new password and keeps the tokens.
    """
    if created or getattr(instance, "_password", None) is None:
        return
    ApiToken.objects.filter(user=instance).active().update(revoked_at=timezone.now())
