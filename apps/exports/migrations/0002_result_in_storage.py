"""Move finished exports' bytes out of their rows into the default storage (settings.STORAGES).

The bytes column is renamed aside, the file field added under the old name, each job's bytes
written to the storage one job at a time (a board pack can be megabytes), then the column dropped.
Backwards, the files are read back into rows.
"""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

import apps.exports.models


def to_storage(apps, schema_editor):
    ExportJob = apps.get_model("exports", "ExportJob")
    jobs = ExportJob.objects.filter(result_bytes__isnull=False)
    for pk, workspace_id, filename in jobs.values_list("pk", "workspace_id", "filename"):
        body = ExportJob.objects.values_list("result_bytes", flat=True).get(pk=pk)
        name = f"exports/{workspace_id}/{uuid.uuid4().hex}/{filename or f'export-{pk}'}"
        stored = default_storage.save(name, ContentFile(bytes(body)))
        ExportJob.objects.filter(pk=pk).update(result=stored, result_bytes=None)


def to_rows(apps, schema_editor):
    ExportJob = apps.get_model("exports", "ExportJob")
    for pk, name in ExportJob.objects.exclude(result="").values_list("pk", "result"):
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stream:
                ExportJob.objects.filter(pk=pk).update(result_bytes=stream.read())
            default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [("exports", "0001_initial")]

    operations = [
        migrations.RenameField("exportjob", "result", "result_bytes"),
        migrations.AddField(
            model_name="exportjob",
            name="result",
            field=models.FileField(
                blank=True, max_length=300, upload_to=apps.exports.models.result_path
            ),
        ),
        migrations.RunPython(to_storage, to_rows),
        migrations.RemoveField("exportjob", "result_bytes"),
    ]
