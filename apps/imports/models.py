"""An upload waiting for its confirmation: the files, kept between the preview and the import."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

KEPT_FOR = timedelta(days=1)


def archive_path(pending: PendingImport, filename: str) -> str:
    """Uploads waiting for confirmation, by workspace, under a name nobody can guess."""
    return f"imports/{pending.workspace_id}/{uuid.uuid4().hex}.zip"


class PendingImport(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="pending_imports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    format = models.CharField(max_length=20, default="auto")
    # What files marked accepted become: "elsewhere" or "review" (see importing.ACCEPTED_CHOICES).
    accepted = models.CharField(max_length=20, default="elsewhere")
    # What unpacking said (files in a zip that are not Markdown), for the preview to say it too.
    notes = models.JSONField(default=list, blank=True)
    # The Markdown files as one zip, checked against every limit before they got here, in the
    # default storage (settings.STORAGES): the preview and the confirmation may reach different
    # app servers, and uploads have no place in database rows.
    archive = models.FileField(upload_to=archive_path, max_length=300)
    file_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_count} file(s) for {self.workspace} by {self.user}"

    @classmethod
    def keep(
        cls,
        workspace,
        user,
        files: list[tuple[str, bytes]],
        format: str,
        accepted: str,
        notes: list[str] = (),
    ) -> PendingImport:
        # Uploads nobody confirmed are not kept for ever.
        cls.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files:
                archive.writestr(name, data)
        pending = cls(
            workspace=workspace,
            user=user,
            format=format,
            accepted=accepted,
            notes=list(notes),
            file_count=len(files),
        )
        pending.archive.save("upload.zip", ContentFile(buffer.getvalue()), save=False)
        pending.save()
        return pending

    def files(self) -> list[tuple[str, bytes]]:
        with self.archive.open("rb") as stream:
            data = stream.read()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info.filename, archive.read(info)) for info in archive.infolist()]


@receiver(post_delete, sender=PendingImport)
def delete_archive_file(sender, instance: PendingImport, **kwargs) -> None:
    # Confirmed, expired or their workspace deleted: the upload leaves no file behind.
    if instance.archive:
        instance.archive.delete(save=False)
