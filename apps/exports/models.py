"""Export jobs: a zip of the log or a board pack, built in the background, with progress."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

# A job still queued or running after this long is taken as lost (a worker died under it): it no
# longer counts against its requester's limit, who could otherwise never export again.
STALE_AFTER = timedelta(hours=1)


class TooManyJobs(Exception):
    """The requester already has as many exports waiting or running as one person may."""


def result_path(job: ExportJob, filename: str) -> str:
    """Where a finished export is stored: by workspace, under a random folder, so that no name
    can be guessed in a bucket and two exports of one day never overwrite each other."""
    return f"exports/{job.workspace_id}/{uuid.uuid4().hex}/{filename}"


class ExportJobQuerySet(models.QuerySet):
    def waiting_for(self, user) -> ExportJobQuerySet:
        """The user's jobs that hold a place in the queue or a worker."""
        return self.filter(
            requested_by=user,
            state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )

    def expired(self) -> ExportJobQuerySet:
        """Jobs older than ADROIT_EXPORTS_KEEP_DAYS: their files are deleted with them."""
        keep = timedelta(days=settings.ADROIT_EXPORTS_KEEP_DAYS)
        # A job still waiting or running is left to finish, however short the setting, unless it
        # is lost (STALE_AFTER): a worker must never find its job deleted under it.
        in_flight = models.Q(state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING])
        stale = models.Q(created_at__lt=timezone.now() - STALE_AFTER)
        return self.filter(created_at__lt=timezone.now() - keep).filter(~in_flight | stale)

    def expire(self) -> int:
        """Delete the expired jobs and (through the post_delete receiver) their files."""
        deleted, _ = self.expired().delete()
        return deleted


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        ZIP = "zip", "Zip of the log"
        BOARD_PACK = "board_pack", "Board pack (PDF)"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="export_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    format = models.CharField(max_length=20, default="madr")
    decision_ids = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # The built file, in the default storage (settings.STORAGES): a board pack of hundreds of
    # decisions is megabytes that have no place in a row. Served only by exports:download.
    result = models.FileField(upload_to=result_path, max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")), name="export_done_within_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.workspace} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("exports:job", args=[self.workspace.slug, self.pk])

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

    @property
    def content_type(self) -> str:
        return "application/pdf" if self.kind == self.Kind.BOARD_PACK else "application/zip"

    def queue(self) -> None:
        """Save this new job, unless its requester already has ADROIT_MAX_JOBS_PER_PERSON waiting
        or running: then TooManyJobs, and nothing is saved.

        One worker builds the jobs one after another, so three board packs from one person held
        up everyone's exports. The job is written first and counted after, as the sign-in
        throttle does, so requests sent at once cannot all pass a count taken before any wrote.
        """
        limit = settings.ADROIT_MAX_JOBS_PER_PERSON
        self.save()
        if ExportJob.objects.waiting_for(self.requested_by).count() > limit:
            self.delete()
            raise TooManyJobs(
                f"You already have {limit} exports waiting or running: wait for one to finish, "
                "then start the next."
            )

    @property
    def queue_name(self) -> str:
        """The task queue that builds it: packs take seconds to minutes, zips well under one."""
        return "packs" if self.kind == self.Kind.BOARD_PACK else "default"

    def advance(self, done: int) -> None:
        # A single-column update: the page polling the job sees it at once.
        ExportJob.objects.filter(pk=self.pk).update(done=done)
        self.done = done


@receiver(post_delete, sender=ExportJob)
def delete_result_file(sender, instance: ExportJob, **kwargs) -> None:
    # Deleted jobs (expired, or their workspace deleted) leave no file behind in the storage.
    if instance.result:
        instance.result.delete(save=False)
