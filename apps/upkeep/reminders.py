"""The daily reminder: each person gets one digest of the reviews and checks due for them.

`send_reminders()` (the `send_reminders` command, or the `send_reminders_task` task) may run as
often as you like, from cron or from several workers at once: a person gets at most one digest a
day. Each digest is a `Digest` row inserted before anything is sent, in the transaction that
sends it; the row's unique (person, day) makes the second insert fail, and that run skips them.

Who is reminded of what:
- an accepted decision whose review date is within `WINDOW_DAYS` (7) or past: its owner
  and its decision makers (a decision maker is a member named so, by full or user name);
- a pending confirmation item due within those days or overdue, of an accepted decision: its
  owner.
Only members of the decision's workspace, and only people with an account that is active.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.activity.events import site_url
from apps.activity.models import Notification
from apps.decisions.models import (
    LONG_TEXT,
    ConfirmationItem,
    ConfirmationState,
    Decision,
    ParticipantRole,
    Status,
)
from apps.workspaces.models import Membership

from .models import Digest

logger = logging.getLogger("adroit.upkeep")

LIVE = (Status.ACCEPTED, Status.ELSEWHERE)


# A week's notice: early enough to plan a review, late enough not to nag for a month.
WINDOW_DAYS = 7
# An email lists the most pressing (the oldest due) this many; "Due for you" lists them all.
EMAIL_LINES = 50


@dataclass(frozen=True)
class Line:
    """One thing due for one person."""

    kind: str  # "review" or "check"
    key: str  # what it is about, unique per person and day: "review:12", "check:40"
    ref: str
    title: str
    url: str
    due: datetime.date

    def sentence(self, today: datetime.date) -> str:
        when = (
            f"overdue since {self.due.isoformat()}"
            if self.due < today
            else ("due today" if self.due == today else f"due {self.due.isoformat()}")
        )
        if self.kind == "review":
            return f"Review {self.ref} {self.title}: {when}"
        return f"Check “{self.title}” of {self.ref}: {when}"

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "key": self.key,
            "ref": self.ref,
            "title": self.title,
            "url": self.url,
            "due": self.due.isoformat(),
        }


def _members(workspace_ids: set[int]) -> dict[int, dict[str, object]]:
    """Each workspace's active members by lower-cased user name and full name."""
    found: dict[int, dict[str, object]] = defaultdict(dict)
    rows = Membership.objects.filter(
        workspace_id__in=workspace_ids, user__is_active=True
    ).select_related("user")
    for m in rows:
        names = found[m.workspace_id]
        names[m.user.username.lower()] = m.user
        if full := m.user.get_full_name().strip().lower():
            names.setdefault(full, m.user)
    return found


def decision_people(decision: Decision) -> list:
    """The decision's owner and the members its decision makers name: who answers for it."""
    people = _members({decision.workspace_id})[decision.workspace_id]
    names = {decision.owner.username.lower()} if decision.owner else set()
    names |= {
        name.strip().lower() for name in decision.participant_names(ParticipantRole.DECISION_MAKER)
    }
    found = {people[name] for name in names if name in people}
    return sorted(found, key=lambda user: user.pk)


def due_lines(today: datetime.date | None = None, user=None) -> dict[object, list[Line]]:
    """Everything due within the window or overdue, by the person it is for (only `user`'s
    workspaces when given). A fixed number of queries, whatever the number of decisions."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=WINDOW_DAYS)
    decisions = Decision.objects.all()
    items = ConfirmationItem.objects.all()
    if user is not None:
        decisions = decisions.filter(workspace__memberships__user=user)
        items = items.filter(owner=user, decision__workspace__memberships__user=user)
    decisions = list(
        decisions.filter(status__in=LIVE, review_by__lte=horizon)
        .select_related("workspace", "owner")
        .prefetch_related("participants")
        .defer(*LONG_TEXT)
    )
    items = list(
        items.filter(
            state=ConfirmationState.PENDING,
            due__lte=horizon,
            owner__isnull=False,
            decision__status__in=LIVE,
        ).select_related("decision__workspace", "owner")
    )
    workspace_ids = {d.workspace_id for d in decisions} | {i.decision.workspace_id for i in items}
    members = _members(workspace_ids)
    lines: dict[object, list[Line]] = defaultdict(list)
    for d in decisions:
        people = members[d.workspace_id]
        line = Line("review", f"review:{d.pk}", d.ref, d.title, d.get_absolute_url(), d.review_by)
        who = {d.owner.username.lower()} if d.owner else set()
        who |= {
            p.name.strip().lower()
            for p in d.participants.all()
            if p.role == ParticipantRole.DECISION_MAKER
        }
        for person in {people[name] for name in who if name in people}:
            lines[person].append(line)
    for item in items:
        if item.owner.username.lower() not in members[item.decision.workspace_id]:
            continue  # no longer a member: not theirs to check
        d = item.decision
        url = d.get_absolute_url() + "#confirmation"
        lines[item.owner].append(Line("check", f"check:{item.pk}", d.ref, item.text, url, item.due))
    for user_lines in lines.values():
        user_lines.sort(key=lambda line: (line.due, line.ref, line.key))
    return lines


def _deliver(user, lines: list[Line], today: datetime.date) -> None:
    count = len(lines)
    message = f"Due for you: {count} item{'s' if count != 1 else ''} to review or check."
    Notification.objects.create(user=user, message=message, url=reverse("upkeep:mine"))
    if not user.email:
        return
    body = "\n".join(
        [
            f"Hello {user.get_full_name() or user.username},",
            "",
            "These decisions are due for you:",
            "",
            *(f"- {line.sentence(today)}\n  {site_url(line.url)}" for line in lines[:EMAIL_LINES]),
            *([f"- and {count - EMAIL_LINES} more."] if count > EMAIL_LINES else []),
            "",
            f"Everything due for you: {site_url(reverse('upkeep:mine'))}",
            "",
        ]
    )

    def send() -> None:
        try:
            send_mail(f"[Adroit] {message}", body, None, [user.email])
        except Exception:  # An unreachable mail server must not undo the digest.
            logger.exception("Could not email the reminder digest to %s", user.email)

    transaction.on_commit(send)


def send_reminders(today: datetime.date | None = None) -> int:
    """Send today's digests; returns how many this run sent (0 for people already sent one)."""
    today = today or timezone.localdate()
    sent = 0
    for user, lines in due_lines(today).items():
        try:
            with transaction.atomic():
                # Insert-or-skip: the unique (user, day) makes a second run's insert fail here.
                Digest.objects.create(
                    user=user, day=today, items=[line.as_json() for line in lines]
                )
                _deliver(user, lines, today)
        except IntegrityError:
            continue
        sent += 1
    return sent
