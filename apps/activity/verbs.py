"""What each kind of audit event is called on the page. The codes stay in the database (and in
backups); people read these names. A code without a name here reads as its words ("Board
published" for "board_published"), so a new kind is never shown as a raw code."""

from __future__ import annotations

VERB_LABELS = {
    "approvals_needed_changed": "Approvals needed changed",
    "approved": "Approved",
    "change_request_withdrawn": "Change request withdrawn",
    "changes_requested": "Changes requested",
    "export_requested": "Export requested",
    "exported": "Exported",
    "imported": "Imported",
    "invitation_accepted": "Invitation accepted",
    "invitation_revoked": "Invitation revoked",
    "member_added": "Member added",
    "member_invited": "Member invited",
    "member_removed": "Member removed",
    "review_confirmed": "Review confirmed",
    "review_requested": "Review requested",
    "role_changed": "Role changed",
    "settings_changed": "Settings changed",
    "status_changed": "Status changed",
    "version_frozen": "Version frozen",
    "workspace_created": "Workspace created",
    "workspace_restored": "Workspace restored",
}


def verb_label(verb: str) -> str:
    if verb in VERB_LABELS:
        return VERB_LABELS[verb]
    words = verb.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "Something"


def verb_choices(verbs) -> list[tuple[str, str]]:
    """(code, name) once per code, by name."""
    return sorted({(v, verb_label(v)) for v in verbs}, key=lambda pair: pair[1].lower())
