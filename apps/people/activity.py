"""Audit log and notifications: the calls other apps make.

A minimal stand-in written by the reviews/versions work because apps/people had not provided it
yet: same signatures, logging only. apps/people replaces the bodies with the real audit log and
in-app + email notifications.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("adroit.activity")


def record_event(workspace, actor, verb: str, target=None, **data) -> None:
    logger.info("%s: %s %s %s %s", workspace, actor, verb, target, data)


def notify(user, message: str, url: str = "", email: bool = True) -> None:
    logger.info("notify %s: %s %s", user, message, url)
