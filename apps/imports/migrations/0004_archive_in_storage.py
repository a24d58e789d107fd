"""Move uploads waiting for confirmation out of their rows into the default storage."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

import apps.imports.models


def to_storage(apps, schema_editor):
    PendingImport = apps.get_model("imports", "PendingImport")
    for pk, workspace_id in PendingImport.objects.values_list("pk", "workspace_id"):
        body = PendingImport.objects.values_list("archive_bytes", flat=True).get(pk=pk)
        name = default_storage.save(
            f"imports/{workspace_id}/{uuid.uuid4().hex}.zip", ContentFile(bytes(body))
        )
        PendingImport.objects.filter(pk=pk).update(archive=name)


def to_rows(apps, schema_editor):
    PendingImport = apps.get_model("imports", "PendingImport")
    for pk, name in PendingImport.objects.values_list("pk", "archive"):
        body = b""
        if name and default_storage.exists(name):
            with default_storage.open(name, "rb") as stream:
                body = stream.read()
            default_storage.delete(name)
        PendingImport.objects.filter(pk=pk).update(archive_bytes=body)


class Migration(migrations.Migration):
    dependencies = [("imports", "0003_pending_import_notes")]

    operations = [
        migrations.RenameField("pendingimport", "archive", "archive_bytes"),
        migrations.AddField(
            model_name="pendingimport",
            name="archive",
            field=models.FileField(
                default="", max_length=300, upload_to=apps.imports.models.archive_path
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="pendingimport", name="archive_bytes", field=models.BinaryField(null=True)
        ),
        migrations.RunPython(to_storage, to_rows),
        migrations.RemoveField("pendingimport", "archive_bytes"),
    ]
