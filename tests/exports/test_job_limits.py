"""One person may have ADROIT_MAX_JOBS_PER_PERSON exports waiting or running, so that one
person's board packs cannot hold up everyone else's exports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from apps.exports.models import ExportJob

from ..factories import add_member, make_decision, make_user, make_workspace
from ..threads import at_once

START = "/w/team/exports/start/"
BOARD_PACK = {"kind": "board_pack"}


def board_pack(client, decision):
    return client.post(START, {**BOARD_PACK, "decisions": [decision.pk]}, follow=True)


@pytest.fixture
def decision(workspace):
    return make_decision(workspace, "Use PostgreSQL", status="accepted")


def test_it_refuses_a_third_waiting_export_with_a_message(author_client, author, decision):
    # Jobs started inside the test's transaction are never handed to a worker: they wait.
    for _ in range(2):
        assert (
            board_pack(author_client, decision).redirect_chain[-1][0].startswith("/w/team/exports/")
        )

    refused = board_pack(author_client, decision)

    assert refused.redirect_chain == [("/w/team/exports/", 302)]
    assert "You already have 2 exports waiting or running" in refused.content.decode()
    assert ExportJob.objects.filter(requested_by=author).count() == 2


def test_it_lets_the_next_one_start_once_one_is_done(author_client, author, decision):
    board_pack(author_client, decision)
    board_pack(author_client, decision)
    ExportJob.objects.filter(pk=ExportJob.objects.earliest("pk").pk).update(state="done")

    board_pack(author_client, decision)

    assert ExportJob.objects.waiting_for(author).count() == 2


def test_it_does_not_count_a_job_lost_for_an_hour(author_client, author, decision):
    board_pack(author_client, decision)
    board_pack(author_client, decision)
    ExportJob.objects.update(
        state="running", created_at=ExportJob.objects.first().created_at - timedelta(hours=2)
    )

    board_pack(author_client, decision)

    assert ExportJob.objects.count() == 3


def test_it_counts_each_person_apart(client, author_client, workspace, decision):
    board_pack(author_client, decision)
    board_pack(author_client, decision)
    rita = make_user("rita")
    add_member(workspace, rita, "viewer")
    client.force_login(rita)

    board_pack(client, decision)

    assert ExportJob.objects.filter(requested_by=rita).count() == 1


def test_it_follows_the_setting(author_client, settings, decision):
    settings.ADROIT_MAX_JOBS_PER_PERSON = 1
    board_pack(author_client, decision)

    refused = board_pack(author_client, decision)

    assert "You already have 1 exports waiting" in refused.content.decode()


@pytest.mark.db_tasks
@pytest.mark.django_db(transaction=True)
def test_it_queues_at_most_the_limit_of_ten_sent_at_once():
    """Not wrapped in a test transaction: each request commits through its own connection. The
    database task backend only stores the task, so every job stays queued."""
    workspace = make_workspace("team")
    viewer = make_user("vic")
    add_member(workspace, viewer, "viewer")
    decision = make_decision(workspace, "Use PostgreSQL", status="accepted")

    def start():
        client = Client()
        client.force_login(viewer)
        client.post(START, {**BOARD_PACK, "decisions": [decision.pk]})

    errors = at_once([start] * 10)

    assert errors == []
    assert ExportJob.objects.filter(requested_by=viewer).count() in (1, 2)
