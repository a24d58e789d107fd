"""Where an imported decision came from, on its page: the file, when and by whom it came in."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

from apps.activity.models import AuditEvent
from apps.decisions.cache import cached
from apps.decisions.models import Decision

register = template.Library()


@register.inclusion_tag("imports/source_note.html")
def imported_from(decision: Decision) -> dict:
    """The file an imported decision came from, shown beside "Accepted elsewhere" so a reader
    knows this decision was accepted by another process, not reviewed here. Empty otherwise.
    Read once per revision on the decision page: an import's file and event never change."""
    note = cached(decision, "imported_from", lambda: _imported_from(decision))
    return {**note, "decision": decision} if note else {}


def _imported_from(decision: Decision) -> dict:
    event = AuditEvent.objects.filter(decision=decision, verb="imported").first()
    try:
        source = decision.source
    except ObjectDoesNotExist:
        source = None
    if event is None and source is None:
        return {}
    return {
        "path": source.path if source else event.data.get("path", ""),
        "at": source.imported_at if source else event.created_at,
        "by": event.actor_label if event else "",
    }
