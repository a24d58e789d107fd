from __future__ import annotations

from django.conf import settings
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
