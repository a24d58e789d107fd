from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    AUTHOR = "author", "Author"
    REVIEWER = "reviewer", "Reviewer"
    ADMIN = "admin", "Admin"


# What each role may do. Every view asks through `Membership.allows`, so rights live here only.
RIGHTS: dict[str, set[str]] = {
    Role.VIEWER: {"view"},
    Role.AUTHOR: {"view", "edit"},
    Role.REVIEWER: {"view", "edit", "review"},
    Role.ADMIN: {"view", "edit", "review", "admin"},
}


class WorkspaceQuerySet(models.QuerySet):
    def for_user(self, user) -> WorkspaceQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Workspace(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    default_approvals = models.PositiveSmallIntegerField(default=1)
    # How long an accepted decision holds before it is looked at again (apps/upkeep).
    review_months = models.PositiveSmallIntegerField(
        "review period (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="An accepted decision is due for review this many months after it is accepted "
        "or last confirmed.",
    )
    # An image in someone's text makes every reader's browser fetch it: a beacon telling its host
    # who read what, when. So images load only from the hosts an admin names; others show as links.
    image_hosts = models.TextField(
        "image hosts",
        blank=True,
        help_text="Hosts that images in decisions and comments may load from, one per line, "
        "e.g. images.example.com. Images from anywhere else are shown as links.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def next_review(self, start: date) -> date:
        """The review date of a decision accepted or confirmed on `start`: the review period
        later, on the same day of the month or the month's last (31 January + 1 month: 28 or 29
        February)."""
        months = start.month - 1 + (self.review_months or 12)
        year, month = start.year + months // 12, months % 12 + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))

    @property
    def image_host_list(self) -> tuple[str, ...]:
        return tuple(self.image_hosts.lower().split())

    def role_of(self, user) -> str | None:
        if not user.is_authenticated:
            return None
        membership = self.memberships.filter(user=user).first()
        return membership.role if membership else None


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            # One role per person per workspace: rights must never depend on which row wins.
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    def allows(self, need: str) -> bool:
        return need in RIGHTS[self.role]
