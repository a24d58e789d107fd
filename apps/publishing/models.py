"""A workspace linked to a git repository: where its files live, and what each sync did."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import models
from django.utils import timezone

from apps.formats.writers import FORMATS

from . import secrets
from .git import Auth

SYNC_STALE_AFTER = timedelta(minutes=15)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Repository(models.Model):
    """The workspace's ADR folder in a git repository: Adroit pushes accepted decisions to it and
    pulls the engineers' changes from it."""

    class Credential(models.TextChoices):
        NONE = "none", "None (a local path, file:// or a public repository)"
        TOKEN = "token", "HTTPS token"
        SSH_KEY = "ssh_key", "SSH deploy key"

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="repository"
    )
    url = models.CharField(max_length=500)
    branch = models.CharField(max_length=200, default="main")
    folder = models.CharField(
        max_length=300, blank=True, default="docs/adr", help_text="The ADR folder, e.g. docs/adr."
    )
    format = models.CharField(
        max_length=20, default="madr", choices=[(k, f.label) for k, f in FORMATS.items()]
    )
    credential_kind = models.CharField(
        max_length=10, choices=Credential.choices, default=Credential.NONE
    )
    # Fernet-encrypted with ADROIT_SECRET_KEY (apps/publishing/secrets.py); never shown again.
    credential = models.TextField(blank=True)
    known_hosts = models.TextField(
        "SSH host key",
        blank=True,
        help_text="The SSH server's key as a known_hosts line (ssh-keyscan prints them). Left "
        "empty, the key the server shows on the first sync is recorded here, and from then on "
        "a server showing another key is refused.",
    )
    last_commit = models.CharField(max_length=64, blank=True)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set while a worker syncs (`claim`): two syncs of one repository at once would both import
    # the same new file.
    syncing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "repositories"

    def __str__(self) -> str:
        return f"{self.url} ({self.branch})"

    def set_credential(self, kind: str, secret: str) -> None:
        self.credential_kind = kind
        self.credential = secrets.encrypt(secret) if kind != self.Credential.NONE else ""

    def auth(self) -> Auth:
        secret = secrets.decrypt(self.credential)
        if self.credential_kind == self.Credential.TOKEN:
            return Auth(token=secret)
        if self.credential_kind == self.Credential.SSH_KEY:
            return Auth(
                ssh_key=secret,
                known_hosts=self.known_hosts,
                on_new_host_key=self.record_host_key,
            )
        return Auth()

    def record_host_key(self, known_hosts: str) -> None:
        """The SSH server's key, seen on first use: pinned from now on. Only where none is
        recorded yet, so a sync never replaces a key an admin gave."""
        Repository.objects.filter(pk=self.pk, known_hosts="").update(known_hosts=known_hosts)
        self.known_hosts = known_hosts

    @property
    def prefix(self) -> str:
        """The folder inside the repository, with a trailing slash ("" for the top)."""
        folder = self.folder.strip().strip("/")
        return f"{folder}/" if folder else ""

    def claim(self) -> bool:
        """Take the repository for one sync; False while another sync holds it. A claim older
        than SYNC_STALE_AFTER is taken as lost (its worker died) and may be taken over."""
        now = timezone.now()
        free = models.Q(syncing_since__isnull=True) | models.Q(
            syncing_since__lt=now - SYNC_STALE_AFTER
        )
        return bool(Repository.objects.filter(free, pk=self.pk).update(syncing_since=now))

    def release(self) -> None:
        Repository.objects.filter(pk=self.pk).update(syncing_since=None)

    def failed(self, message: str) -> None:
        Repository.objects.filter(pk=self.pk).update(
            last_error=message, last_error_at=timezone.now()
        )
        self.last_error = message


class SyncedFile(models.Model):
    """A file as it stood on both sides at the last sync: its text's hash. A side whose text
    hashes otherwise has changed since."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=500, help_text="Inside the repository's folder, with /.")
    decision = models.ForeignKey(
        "decisions.Decision", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sha256 = models.CharField(max_length=64)
    commit = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            # One file has one state; two syncs racing must not record it twice.
            models.UniqueConstraint(fields=["repository", "path"], name="one_synced_file_per_path")
        ]

    def __str__(self) -> str:
        return self.path


class SyncEvent(models.Model):
    """What a sync did to one file or decision, shown on the repository page."""

    class Kind(models.TextChoices):
        PUSHED = "pushed", "Pushed"
        NEW = "new", "New decision from git"
        UPDATED = "updated", "Changed in git: now a draft"
        CONFLICT = "conflict", "Changed on both sides: a draft with both texts"
        REMOVED = "removed", "Removed in git (the decision stays)"
        REFUSED = "refused", "Could not be read"
        FAILED = "failed", "Failed"

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    decision = models.ForeignKey(
        "decisions.Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    path = models.CharField(max_length=500, blank=True)
    commit = models.CharField(max_length=64, blank=True)
    author = models.CharField(max_length=300, blank=True)
    message = models.TextField(blank=True)
    # For a conflict: both texts, as they stood when the pull found them.
    ours = models.TextField(blank=True)
    theirs = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The repository page lists the latest events.
            models.Index(fields=["repository", "-at"], name="sync_event_latest")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.path}"

    @property
    def short_commit(self) -> str:
        return self.commit[:10]


class SitePage(models.Model):
    """One decision's share of the static site as a build made it, kept for the next build: its
    page (header, body and neighbourhood graph) and what the lists and the search index show of
    it. Keyed by the decision's page key (apps/decisions/cache.py), the workspace's name and the
    code that renders it, so an edited decision, or a related one, is looked up under a new key
    and its old row is never read again: invalidation by construction. A rebuild after one
    acceptance renders one page, not a thousand, and loads no record but that one."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=64)
    html = models.TextField()
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Two builds at once store a page once; each build drops its workspace's unused ones.
            models.UniqueConstraint(fields=["workspace", "key"], name="one_site_page_per_key")
        ]

    def __str__(self) -> str:
        return self.key[:12]


class StoredBody(models.Model):
    """A decision revision's body as the site shows it (rendered Markdown, through the one
    sanitiser) and the facts its page header and lists show, stored when the app first renders
    that revision: on import, on creation, on a status change (`receivers.py`) or in a site
    build. Keyed by the decision's page key (apps/decisions/cache.py) and the rendering code, so
    a revision is rendered once: a first site build of a workspace whose decisions were saved
    through the app renders none of their bodies, and loads none of their records."""

    decision = models.ForeignKey("decisions.Decision", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    html = models.TextField()
    facts = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # A revision is stored once, however many saves or builds render it at the same time.
            models.UniqueConstraint(fields=["decision", "key"], name="one_stored_body_per_key")
        ]

    def __str__(self) -> str:
        return self.key[:12]
