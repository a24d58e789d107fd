"""The decision page's upkeep region: the review date, "Confirm still valid", the review
history and the confirmation checklist, shown through the `upkeep_panel` tag."""

from __future__ import annotations

import datetime

from django.utils import timezone

from apps.decisions.cache import cached
from apps.decisions.models import ConfirmationItem, ConfirmationState, Decision, Status
from apps.workspaces.models import Membership

from .forms import StateForm, StillValidForm

TEMPLATE = "upkeep/panel.html"
LIVE = (Status.ACCEPTED, Status.ELSEWHERE)
SOON = 30  # days: "due in 30 days", as the log's filter says


def review_state(review_by: datetime.date | None, today: datetime.date) -> str:
    if review_by is None:
        return ""
    if review_by < today:
        return "overdue"
    if review_by <= today + datetime.timedelta(days=SOON):
        return "due"
    return "later"


def panel_context(decision: Decision, membership: Membership, user, **forms) -> dict:
    today = timezone.localdate()
    # Each change to the checklist or the review date moves the decision's `updated_at`, so its
    # cache key (apps/decisions/cache.py): read once per key.
    items, events = cached(
        decision,
        "upkeep",
        lambda: (
            list(
                ConfirmationItem.objects.filter(decision=decision).select_related("owner", "set_by")
            ),
            list(decision.review_events.order_by("-at", "-id")[:10]),
        ),
    )
    live = decision.status in LIVE
    state_forms = forms.get("state_forms", {})
    return {
        "decision": decision,
        "membership": membership,
        "live": live,
        "today": today,
        "review_state": review_state(decision.review_by, today) if live else "",
        "items": [
            (
                item,
                state_forms.get(item.pk)
                or StateForm(initial={"state": item.state, "note": item.note}),
            )
            for item in items
        ],
        "failed": [i for i in items if i.state == ConfirmationState.FAILED] if live else [],
        "events": events,
        "can_confirm": live and membership.allows("review"),
        "can_set": live and membership.allows("edit"),
        "can_revisit": live and membership.allows("edit"),
        "can_edit_items": decision.status == Status.DRAFT and membership.allows("edit"),
        "valid_form": forms.get("valid_form") or StillValidForm(),
        "error": forms.get("error", ""),
    }
