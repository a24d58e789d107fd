"""What keeps accepted decisions alive: the daily reminders' record of what was sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Digest(models.Model):
    """One person's reminder digest for one day.

    The row is inserted before the digest is sent, in the same transaction, and the unique
    constraint on (person, day) decides who sends it: of two workers (or two runs) on one day,
    the second insert fails and that worker skips the person. Never check-then-insert.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    day = models.DateField()
    # What the digest listed, as sent: [{"kind", "ref", "title", "url", "due"}, ...].
    items = models.JSONField(default=list)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "user"]
        constraints = [
            # At most one digest per person per day, however many workers run at once.
            models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_person_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"
