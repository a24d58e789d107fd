"""An upload waiting for its confirmation: the files, kept between the preview and the import."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

KEPT_FOR = timedelta(days=1)


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
    # The Markdown files as one zip: checked against every limit before they got here.
    archive = models.BinaryField()
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
        return cls.objects.create(
            workspace=workspace,
            user=user,
            format=format,
            accepted=accepted,
            notes=list(notes),
            archive=buffer.getvalue(),
            file_count=len(files),
        )

    def files(self) -> list[tuple[str, bytes]]:
        with zipfile.ZipFile(io.BytesIO(bytes(self.archive))) as archive:
            return [(info.filename, archive.read(info)) for info in archive.infolist()]
