"""What this app hooks into the apps below it (connected from PublishingConfig.ready).

* The site is an export format (`apps/exports/registry.py`): `export_adrs --format site` and
  the exports page build it without exports importing this app.
* A frozen version (a decision accepted) queues a push to the workspace's repository, once
  the accepting transaction commits: the request that accepts never waits for a remote.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save

from apps.exports.registry import ExtraFormat, register
from apps.versions.models import Version

from . import site
from .models import Repository
from .tasks import push_accepted

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
