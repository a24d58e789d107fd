from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.decisions.building import ensure_user, link_relations, save_record
from apps.decisions.models import Decision, Status
from apps.formats.record import Record
from apps.reviews.models import REVIEW_ROLES, ReviewRound, submit_for_review
from apps.workspaces.models import Membership, Workspace

DEFAULT_FILE = settings.BASE_DIR / "fixtures" / "example.yaml"

# Statuses the example reaches through review, so that each has its frozen version, its hash and
# the approvals pinned to it, as the board pack and the versions page show them.
REVIEWED = {Status.ACCEPTED, Status.SUPERSEDED}


def load_example(path: Path = DEFAULT_FILE, password: str | None = None) -> Workspace | None:
    """Load the example workspace once; returns None when it is already there."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec = data["workspace"]
    if Workspace.objects.filter(slug=spec["slug"]).exists():
        return None
    password = password if password is not None else settings.DEMO_PASSWORD
    with transaction.atomic():
        workspace = Workspace.objects.create(**spec)
        users = {}
        for person in data["users"]:
            role = person.pop("role")
            user = ensure_user(password=password, **person)
            users[user.username] = user
            Membership.objects.create(workspace=workspace, user=user, role=role)
        saved, reviewed = [], []
        for item in data["decisions"]:
            record = Record.from_dict(item)
            if record.status in REVIEWED:  # written as a draft, then reviewed like any other
                reviewed.append((record.number, record.status, item.get("decided_on")))
                record.status = Status.DRAFT
            decision = save_record(workspace, record, owner=users.get(item.get("owner")))
            if item.get("decided_on"):
                Decision.objects.filter(pk=decision.pk).update(decided_on=item["decided_on"])
            saved.append((decision, Record.from_dict(item).relations))
        for decision, relations in saved:
            link_relations(decision, relations)
            if decision.status == Status.IN_REVIEW:
                _open_review(workspace, decision, users)
        # In number order: an older decision is accepted before the one that supersedes it, whose
        # acceptance then marks it superseded, as it would have happened.
        for number, _status, _date in sorted(reviewed):
            _review_and_accept(workspace.decisions.get(number=number))
        for number, status, decided_on in reviewed:
            decision = workspace.decisions.get(number=number)
            if decision.status != status:  # superseded, yet by no decision accepted here
                decision.move_to(status, by=decision.owner)
            if decided_on:
                Decision.objects.filter(pk=decision.pk).update(decided_on=decided_on)
    return workspace


def _review_and_accept(decision: Decision) -> None:
    """Its owner submits it; the example's reviewers approve it until it is accepted."""
    reviewers = [
        m.user
        for m in decision.workspace.memberships.filter(role__in=REVIEW_ROLES)
        .select_related("user")
        .order_by("user__username")
        if m.user_id != decision.owner_id
    ]
    submit_for_review(decision, by=decision.owner, reviewers=reviewers)
    round = ReviewRound.objects.open().get(decision=decision)
    for reviewer in reviewers:
        round.approve(reviewer)
        if Decision.objects.get(pk=decision.pk).status == Status.ACCEPTED:
            return
    raise CommandError(f"{decision.ref} was not accepted by the example's reviewers.")


def _open_review(workspace: Workspace, decision: Decision, users: dict) -> None:
    """A decision that arrives in review has its review open, with the reviewers asked."""
    round = ReviewRound.objects.create(
        decision=decision, opened_by=decision.owner, approvals_needed=workspace.default_approvals
    )
    round.reviewers.set(
        m.user
        for m in workspace.memberships.filter(role__in=REVIEW_ROLES).select_related("user")
        if m.user_id != decision.owner_id
    )


class Command(BaseCommand):
    help = "Load the example workspace and its demo users (once)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)

    def handle(self, *args, file: Path, **options):
        workspace = load_example(file)
        if workspace is None:
            self.stdout.write("The example workspace is already loaded.")
        else:
            count = workspace.decisions.count()
            self.stdout.write(self.style.SUCCESS(f"Loaded {count} example decisions."))
