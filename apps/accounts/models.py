"""Sign-in throttling, counted in the database so every worker sees it, invitations, and what
single sign-on keeps: the provider's accounts and the groups-to-roles mapping."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from apps.activity.events import record_event
from apps.workspaces.members import add_member, change_role, remove_member
from apps.workspaces.models import Membership, Role

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
        if self._over(username, ip, LOGIN_FAILURE_LIMIT, LOGIN_ADDRESS_LIMIT):
            # Already locked out: refused on a read alone, so a flood of guesses writes nothing
            # (on SQLite every write blocks everyone's reads while it commits).
            return None
        attempt = self.create(username=username, ip=ip)
        if self._over(username, ip, LOGIN_FAILURE_LIMIT + 1, LOGIN_ADDRESS_LIMIT + 1):
            # A refused attempt is not a guess: dropping it keeps a flood from growing the table
            # and from stretching the lockout forever.
            attempt.delete()
            return None
        return attempt

    def _over(self, username: str, ip: str | None, per_account: int, per_address: int) -> bool:
        recent = self.recent()
        return recent.filter(username=username, ip=ip).count() >= per_account or (
            bool(ip) and recent.filter(ip=ip).count() >= per_address
        )

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


# An admin may send this many invitations an hour (across workspaces): enough to bring in a team,
# too few to use Adroit for sending mail to strangers.
INVITATIONS_PER_HOUR = 20
INVITATION_LIFETIME = timedelta(days=7)
TOO_MANY_INVITATIONS = (
    f"You sent {INVITATIONS_PER_HOUR} invitations in the last hour: wait a while before "
    "sending more."
)
NOT_YOURS = (
    "This invitation was sent to another email address than your account's. Sign in with the "
    "account that uses that address, or sign out and create one through the link."
)

INVITER_GONE = (
    "Whoever sent this invitation no longer manages the workspace: ask one of its admins to "
    "invite you again."
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def for_token(self, token: str) -> Invitation | None:
        """The pending invitation this token opens, or None (unknown, used, revoked or expired)."""
        if not token or len(token) > 100:
            return None
        return self.pending().select_related("workspace").filter(token_hash=_digest(token)).first()


class Invitation(models.Model):
    """An email address asked to join a workspace. Nobody becomes a member, and no account is
    made, until the person who holds the emailed link accepts it while signed in."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    # What the inviter calls them: filled in on the sign-up form, which they may correct.
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    # SHA-256 of the emailed token: a leaked database opens no workspace.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Revoked rows are kept: they still count towards their sender's hourly limit.
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The hourly limit counts a sender's recent invitations on every send.
            models.Index(fields=["invited_by", "created_at"], name="invitation_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace} ({self.role})"

    @classmethod
    def send(cls, workspace, email: str, role: str, by, name: str = "") -> tuple[Invitation, str]:
        """A new invitation and its token (returned once, never stored). Replaces any pending
        invitation of the same address to the same workspace, so one link works at a time."""
        since = timezone.now() - timedelta(hours=1)
        with transaction.atomic():
            if cls.objects.filter(invited_by=by, created_at__gte=since).count() >= (
                INVITATIONS_PER_HOUR
            ):
                raise ValidationError(TOO_MANY_INVITATIONS, code="rate_limited")
            cls.objects.pending().filter(workspace=workspace, email__iexact=email).update(
                revoked_at=timezone.now()
            )
            token = secrets.token_urlsafe(32)
            invitation = cls.objects.create(
                workspace=workspace,
                email=email,
                name=name,
                role=role,
                token_hash=_digest(token),
                invited_by=by,
                expires_at=timezone.now() + INVITATION_LIFETIME,
            )
            record_event(workspace, by, "member_invited", email=email, role=role)
        return invitation, token

    def may_be_accepted_by(self, user) -> bool:
        # The link is only proof of the inbox it was sent to: the account must use that address.
        return bool(user.email) and user.email.strip().lower() == self.email.strip().lower()

    def accept(self, user) -> Membership:
        """Make `user` a member in the invited role, once; ValidationError if it is not theirs
        or no longer pending."""
        if not self.may_be_accepted_by(user):
            raise ValidationError(NOT_YOURS, code="not_yours")
        inviter_is_admin = Membership.objects.filter(
            workspace=self.workspace, user_id=self.invited_by_id, role=Role.ADMIN
        ).exists()
        if not inviter_is_admin:
            # An admin removed or demoted since cannot still bring people in.
            raise ValidationError(INVITER_GONE, code="inviter_gone")
        with transaction.atomic():
            # Two clicks at once: the second finds the invitation already used.
            used = (
                Invitation.objects.pending()
                .filter(pk=self.pk)
                .update(accepted_at=timezone.now(), accepted_by=user)
            )
            if not used:
                raise ValidationError("This invitation was already used, revoked or has expired.")
            membership = Membership.objects.filter(workspace=self.workspace, user=user).first()
            if membership is None:
                try:
                    with transaction.atomic():
                        membership = add_member(self.workspace, user, self.role, by=user)
                except IntegrityError:
                    membership = Membership.objects.get(workspace=self.workspace, user=user)
            record_event(self.workspace, user, "invitation_accepted", email=self.email)
        return membership

    def revoke(self, by) -> None:
        if self.revoked_at is None and self.accepted_at is None:
            Invitation.objects.filter(pk=self.pk).update(revoked_at=timezone.now())
            record_event(self.workspace, by, "invitation_revoked", email=self.email)


# Single sign-on (apps/accounts/sso.py): who a provider's account is here, and which workspaces
# and roles the provider's groups give.


class ProviderIdentity(models.Model):
    """The provider's account (issuer and subject) that a person signs in with. Later sign-ins
    find the person by it, never again by email address: an address changed at the provider must
    not make a second person here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    last_sign_in = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Two people behind one subject would let one sign in as the other.
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_person_per_subject"),
        ]
        verbose_name_plural = "provider identities"

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


# Several groups may map one person into one workspace: the highest of their roles wins.
ROLE_RANK = {Role.VIEWER: 0, Role.AUTHOR: 1, Role.REVIEWER: 2, Role.ADMIN: 3}


class GroupRoleQuerySet(models.QuerySet):
    def roles_for(self, groups) -> dict[int, GroupRole]:
        """workspace id → the mapping that gives the highest role to someone in `groups`."""
        best: dict[int, GroupRole] = {}
        for mapping in self.filter(group__in=list(groups)).select_related("workspace"):
            held = best.get(mapping.workspace_id)
            if held is None or ROLE_RANK[mapping.role] > ROLE_RANK[held.role]:
                best[mapping.workspace_id] = mapping
        return best


class GroupRole(models.Model):
    """A group of the provider's groups claim, and the role its people get in a workspace."""

    group = models.CharField(
        max_length=200,
        help_text="The group's name exactly as the provider sends it in the groups claim.",
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="group_roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)

    objects = GroupRoleQuerySet.as_manager()

    class Meta:
        ordering = ["group"]
        constraints = [
            # One role per group per workspace, so what a group gives never depends on row order.
            models.UniqueConstraint(fields=["group", "workspace"], name="one_role_per_group"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="group_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.workspace} ({self.role})"


class GrantedMembership(models.Model):
    """A membership the group mapping made, and the role it last gave. Only these does a sign-in
    change or remove: a membership added by hand is never touched, and one whose role an admin
    changed by hand (its role is no longer `role`) becomes the admin's from then on."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="group_grant"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    def __str__(self) -> str:
        return f"{self.membership} by group mapping"


def apply_group_roles(user, groups) -> None:
    """Make `user`'s memberships what the mapping gives `groups`: create and update the ones it
    grants, remove the ones it granted before and grants no more. Memberships added or changed by
    hand stay as they are. A workspace's last admin is never removed or demoted by a sign-in."""
    wanted = GroupRole.objects.roles_for(groups)
    held = {
        m.workspace_id: m
        for m in Membership.objects.filter(user=user).select_related("workspace", "group_grant")
    }
    with transaction.atomic():
        for workspace_id, mapping in wanted.items():
            membership = held.get(workspace_id)
            if membership is None:
                try:
                    with transaction.atomic():
                        membership = add_member(mapping.workspace, user, mapping.role, by=user)
                        GrantedMembership.objects.create(membership=membership, role=mapping.role)
                except IntegrityError:
                    pass  # the same person's other sign-in, at the same moment, added it
                continue
            grant = getattr(membership, "group_grant", None)
            if grant is None:
                continue  # added by hand
            if membership.role != grant.role:
                grant.delete()  # changed by hand: the admin's now
            elif membership.role != mapping.role:
                try:
                    change_role(membership, mapping.role, by=user)
                except ValidationError:
                    continue  # the last admin stays one
                grant.role = mapping.role
                grant.save(update_fields=["role"])
        for workspace_id, membership in held.items():
            grant = getattr(membership, "group_grant", None)
            if workspace_id in wanted or grant is None:
                continue
            if membership.role != grant.role:
                grant.delete()
                continue
            try:
                remove_member(membership, by=user)
            except ValidationError:
                continue
