"""Background exports through Django's tasks framework (django-tasks: the database queue, or
Redis through RQ when REDIS_URL is set).

`make worker` (or the `worker` and `packs-worker` services of docker-compose) runs two
`manage.py worker`s, one for the `default` queue and one for `packs` (board packs, see
`ExportJob.queue_name`); `make run` starts both beside the development server.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django_tasks import task

from apps.decisions.models import Decision
from apps.versions.models import Version

from .models import ExportJob
from .packs import board_pack, log_zip
from .registry import EXTRA_FORMATS

logger = logging.getLogger("adroit.exports")


def pack_decisions(decisions: QuerySet[Decision]) -> list[Decision]:
    """Decisions as a board pack prints them: records and versions read in a few queries."""
    versions = Prefetch("versions", queryset=Version.objects.order_by("number"))
    return list(decisions.with_record().prefetch_related(versions).order_by("number"))


def decisions_for(job: ExportJob) -> list[Decision]:
    decisions = Decision.objects.filter(workspace=job.workspace)
    if job.kind == ExportJob.Kind.BOARD_PACK:
        return pack_decisions(decisions.filter(pk__in=job.decision_ids))
    # Imported files go back as they came.
    return list(decisions.with_record().select_related("source").order_by("number"))


def build(job: ExportJob) -> None:
    """Build the job's file, recording progress; a failure is recorded, never half-delivered."""
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING, done=0)
    try:
        decisions = decisions_for(job)
        ExportJob.objects.filter(pk=job.pk).update(total=len(decisions))
        job.total = len(decisions)
        stamp = timezone.localdate().isoformat()
        if job.kind == ExportJob.Kind.ZIP and job.format in EXTRA_FORMATS:
            body = EXTRA_FORMATS[job.format].build_zip(job.workspace, job.advance)
            name = f"{job.workspace.slug}-{job.format}-{stamp}.zip"
        elif job.kind == ExportJob.Kind.ZIP:
            body = log_zip(decisions, job.format, job.advance)
            name = f"{job.workspace.slug}-adrs-{job.format}-{stamp}.zip"
        else:
            body = board_pack(decisions, job.workspace, job.advance)
            name = f"{job.workspace.slug}-board-pack-{stamp}.pdf"
        # The file goes to the storage (settings.STORAGES) before the row says DONE: a page that
        # sees DONE finds the file, on whichever server it runs; a store that is down fails the job.
        job.result.save(name, ContentFile(body), save=False)
    except Exception as error:  # Whatever broke, the person waiting must learn it.
        logger.exception("Export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.DONE,
        result=job.result.name,
        filename=name,
        done=job.total,
        finished_at=timezone.now(),
    )


@task()
def run_export(job_id: int) -> None:
    # Claimed by one conditional update, not read then written: with several workers (and a
    # broker that redelivers a job whose worker died), a job is still built exactly once.
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING, done=0
    )
    if claimed:
        build(ExportJob.objects.select_related("workspace").get(pk=job_id))
    # Every worker sweeps as it goes, so old exports expire without a cron job.
    ExportJob.objects.expire()
