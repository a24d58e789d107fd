"""Syncing, and storing the site's bodies, in the background (django-tasks, the `default` queue's
worker).

A push talks to a remote that may be slow or down: the request that accepts a decision, or an
admin's "Pull now", only queues the work. A failure is written on the repository (its page
shows it) and loses nothing: the decision stays accepted in Adroit, and the next push or
`sync_repositories` run sends whatever git does not have yet.
"""

from __future__ import annotations

import logging
import time

from django.contrib.auth import get_user_model
from django_tasks import task

from apps.decisions.models import Status, StatusChange
from apps.versions.models import Version

from . import site
from .git import GitError
from .models import Repository, SyncEvent
from .secrets import CredentialUnreadable
from .sync import Outcome, pull, push

logger = logging.getLogger("adroit.publishing")


def _failed(repo: Repository, error: Exception | str, what: str) -> None:
    message = f"{what} failed: {error}"
    repo.failed(message)
    SyncEvent.objects.create(repository=repo, kind=SyncEvent.Kind.FAILED, message=message)


class Busy(Exception):
    """Another sync of this repository is running."""


# A push waits this long for a running sync to finish; after that, the next sync pushes it.
WAIT_FOR_CLAIM = 120


def run_safely(repo: Repository, what: str, work, wait: float = 0) -> Outcome | None:
    """Run `work()` holding the repository's claim, recording a git or credential failure on
    the repository instead of raising. Busy when another sync holds the claim past `wait`."""
    deadline = time.monotonic() + wait
    while not repo.claim():
        if time.monotonic() >= deadline:
            raise Busy(f"Another sync of {repo.workspace} is running; try again when it is done.")
        time.sleep(1)
    try:
        return work()
    except (GitError, CredentialUnreadable, ValueError) as error:
        logger.warning("%s of %s failed: %s", what, repo, error)
        _failed(repo, error, what)
        return None
    except Exception as error:  # Whatever broke, the admin must learn it on the page.
        logger.exception("%s of %s failed", what, repo)
        _failed(repo, f"an unexpected error ({type(error).__name__}); the log has details.", what)
        return None
    finally:
        repo.release()


def accept_message(version: Version) -> str:
    decision = version.decision
    return f"{decision.ref}: Accept {decision.title}"


@task()
def push_accepted(version_id: int) -> None:
    version = Version.objects.select_related("decision__workspace").filter(pk=version_id).first()
    if version is None:
        return
    decision = version.decision
    repo = Repository.objects.filter(workspace=decision.workspace).first()
    if repo is None:
        return
    accept = (
        StatusChange.objects.filter(decision=decision, to_status=Status.ACCEPTED)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )
    by = accept.by if accept else None
    # The decisions it supersedes changed status in the same acceptance: their files go too.
    superseded = list(
        decision.relations.filter(kind="supersedes").values_list("target_id", flat=True)
    )
    try:
        run_safely(
            repo,
            "Push",
            lambda: push(repo, [decision.pk, *superseded], by=by, message=accept_message(version)),
            wait=WAIT_FOR_CLAIM,
        )
    except Busy as error:
        # Nothing is lost: the next sync pushes every accepted decision git lacks.
        _failed(repo, f"{error} {decision.ref} goes out with the next sync.", "Push")


@task()
def pull_repository(repository_id: int, user_id: int | None = None) -> None:
    repo = Repository.objects.select_related("workspace").filter(pk=repository_id).first()
    if repo is None:
        return
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None

    def both() -> Outcome:
        outcome = pull(repo)
        pushed = push(repo, None, by=by, message="Adroit: publish decisions not yet in git")
        outcome.pushed, outcome.commit = pushed.pushed, pushed.commit
        return outcome

    try:
        run_safely(repo, "Sync", both)
    except Busy as error:
        _failed(repo, error, "Sync")


@task()
def store_site_bodies(decision_ids: list[int]) -> None:
    """Render and store the site bodies of these decisions' current revisions (`receivers.py`).
    A revision changed again before the task runs is stored under its newer key: what is stored
    is always what the next build would render."""
    site.store_bodies(decision_ids)
