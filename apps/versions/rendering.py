"""A frozen version's PDF, through the same printed block as the decision's own PDF and the page."""

from __future__ import annotations

import dataclasses

from apps.decisions.models import Status
from apps.decisions.printing import Printed, printed_pdf
from apps.decisions.rendering import record_html

# What happens to an accepted text after it is accepted; its frozen version then says so. A
# decision reopened as a draft leaves its versions accepted: they were, and the draft is another.
AFTER_ACCEPTANCE = {Status.SUPERSEDED, Status.DEPRECATED}


def printed_version(
    version, history: list, workspace_name: str = "", decision_status: str = ""
) -> Printed:
    """A frozen version as printed: its record, number, full hash, approvals and history.

    `version` is a Version, `history` the decision's versions in order; `decision_status`, the
    decision's status now, shows a superseded or deprecated decision's version as such.
    """
    record = version.record()
    if decision_status in AFTER_ACCEPTANCE:
        record = dataclasses.replace(record, status=decision_status)
    return Printed(record, record_html(record), workspace_name, version=version, history=history)


def version_pdf(
    version, history: list, workspace_name: str = "", decision_status: str = ""
) -> bytes:
    """A frozen version's PDF/A, its Markdown attached (that file's SHA-256 is the version's)."""
    return printed_pdf(printed_version(version, history, workspace_name, decision_status))
