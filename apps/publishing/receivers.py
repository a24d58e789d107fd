"""What this app hooks into the apps below it (connected from PublishingConfig.ready).

* The site is an export format (`apps/exports/registry.py`): `export_adrs --format site` and
  the exports page build it without exports importing this app.
* A frozen version (a decision accepted) queues a push to the workspace's repository, once
  the accepting transaction commits: the request that accepts never waits for a remote.
* A decision created (an import, a new draft) or moved to another status (submitted,
  accepted) has its body rendered for the site and stored by a background task queued once the
  transaction commits, one task for all of a transaction's decisions (`tasks.store_site_bodies`):
  a site build then renders only the revisions the app never rendered, and the request that
  submits or accepts renders nothing more. Autosaves queue nothing.
"""

from __future__ import annotations

import threading

from django.db import transaction
from django.db.models.signals import post_save

from apps.decisions.models import Decision, StatusChange
from apps.decisions.signals import decisions_created_in_bulk
from apps.exports.registry import ExtraFormat, register
from apps.versions.models import Version

from . import site
from .models import Repository
from .tasks import push_accepted, store_site_bodies

register(ExtraFormat("site", "Static HTML site", site.write_site, site.site_zip))


def version_frozen(sender, instance: Version, created: bool, **kwargs) -> None:
    if not created:
        return
    workspace_id = instance.decision.workspace_id
    if not Repository.objects.filter(workspace_id=workspace_id).exists():
        return
    version_id = instance.pk
    transaction.on_commit(lambda: push_accepted.enqueue(version_id))


post_save.connect(version_frozen, sender=Version, dispatch_uid="publishing-push-on-accept")


_pending = threading.local()


def _store_pending() -> None:
    ids, _pending.ids = _pending.ids, None
    if ids:
        store_site_bodies.enqueue(sorted(ids))


def _store_body_later(decision_id: int) -> None:
    connection = transaction.get_connection()
    # Outside a transaction the decision's parts are still to be written, each in its own
    # statement: a body rendered now would be stored under the key of the finished decision.
    if not connection.in_atomic_block:
        return
    # One task for the whole transaction (an import of a thousand decisions renders them in a
    # process per CPU); a transaction rolled back took its callback with it, so start afresh.
    ids = getattr(_pending, "ids", None)
    if ids is None or not any(func is _store_pending for _, func, _ in connection.run_on_commit):
        ids = _pending.ids = set()
        # Robust: a body not stored (a queue that is down) costs the next site build a render,
        # never the save.
        transaction.on_commit(_store_pending, robust=True)
    ids.add(decision_id)


def decision_created(sender, instance: Decision, created: bool, **kwargs) -> None:
    if created:
        _store_body_later(instance.pk)


def status_changed(sender, instance: StatusChange, created: bool, **kwargs) -> None:
    if created:
        _store_body_later(instance.decision_id)


def decisions_imported(sender, decision_ids: list[int], **kwargs) -> None:
    for decision_id in decision_ids:
        _store_body_later(decision_id)


post_save.connect(decision_created, sender=Decision, dispatch_uid="publishing-store-new-body")
decisions_created_in_bulk.connect(decisions_imported, dispatch_uid="publishing-store-imported")
post_save.connect(status_changed, sender=StatusChange, dispatch_uid="publishing-store-moved-body")
