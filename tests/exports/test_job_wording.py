"""The export job page speaks to the person waiting, not to whoever runs the server."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.exports.models import ExportJob


def job_page(client, job) -> str:
    return client.get(reverse("exports:job", args=[job.workspace.slug, job.pk])).content.decode()


@pytest.fixture
def job(team):
    return ExportJob.objects.create(workspace=team["workspace"], kind="zip", total=3)


def test_it_tells_a_member_the_export_is_queued(client, team, job):
    client.force_login(team["ada"])

    page = job_page(client, job)

    assert "The export is queued; it will be ready in a moment." in page
    assert "make worker" not in page and "longer than usual" not in page


def test_it_tells_a_member_when_it_is_late_without_naming_the_worker(client, team, job):
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    client.force_login(team["ada"])

    page = job_page(client, job)

    assert "taking longer than usual" in page and "make worker" not in page


def test_it_gives_an_admin_the_worker_hint_when_it_is_late(client, team, job):
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    client.force_login(team["adam"])

    page = job_page(client, job)

    assert "no worker has picked this export up" in page and "make worker" in page


def test_it_gives_no_worker_hint_to_an_admin_while_it_is_early(client, team, job):
    client.force_login(team["adam"])

    assert "make worker" not in job_page(client, job)
