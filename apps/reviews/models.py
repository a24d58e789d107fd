"""Team review: rounds, comment threads on sections, change requests and approvals.

A decision is accepted when enough approvals stand on its current content and no change request
is open. Approvals are pinned to the content's SHA-256 (`content_sha256`), so an edit after an
approval leaves that approval behind: it is stale and no longer counts.

Four eyes: the approval of anyone who wrote the text to be frozen, or sent it to review, never
counts for it (`Contribution`, `author_ids`); this is judged here, in the model, so no page,
script or admin form can walk around it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from apps.activity.events import notify, record_event
from apps.decisions.completeness import gaps, required
from apps.decisions.models import (
    Decision,
    IllegalTransition,
    IncompleteDraft,
    Status,
    StatusChange,
)
from apps.formats.record import Record
from apps.versions.models import Version, content_sha256
from apps.workspaces.models import RIGHTS, Workspace

# The MADR sections of the page, as reviewers pick them.
SECTIONS: dict[str, str] = {
    "context": "Context and Problem Statement",
    "drivers": "Decision Drivers",
    "options": "Considered Options",
    "outcome": "Decision Outcome",
    "pros_cons": "Pros and Cons of the Options",
    "considerations": "Considerations",
    "more_information": "More Information",
}
# The answers and weighted criteria of the Decide step, under Pros and Cons on the page.
CRITERIA_LABEL = "Weighted criteria"
REVIEW_ROLES = [role for role, rights in RIGHTS.items() if "review" in rights]


class ReviewError(ValidationError):
    """A review step that the decision's state does not allow."""


def section_choices(record: Record) -> list[tuple[str, str]]:
    """Every part of the record a comment can be about, in the page's order."""
    choices = list(SECTIONS.items())
    choices += [(f"scenario:{s.title}", f"Scenario: {s.title}") for s in record.scenarios]
    choices += [
        (f"consideration:{c.title}", f"Consideration: {c.title}") for c in record.considerations
    ]
    if record.answers or record.criteria:
        choices.append(("criteria", CRITERIA_LABEL))
    return choices


def section_label(key: str) -> str:
    if key in SECTIONS:
        return SECTIONS[key]
    if key == "criteria":
        return CRITERIA_LABEL
    kind, _, title = key.partition(":")
    return f"{kind.capitalize()}: {title}" if title else key


def section_anchor(key: str) -> str:
    return "review-" + (slugify(key.replace(":", "-")) or "section")


def body_anchor(key: str) -> str:
    """The id of a section in the decision page's text (the panel's groups use `section_anchor`)."""
    return "section-" + (slugify(key.replace(":", "-")) or "part")


def display_name(user) -> str:
    return (user.get_full_name() or user.username) if user else "someone"


def lock_decision(pk: int) -> Decision:
    """The decision row, locked until the transaction ends, so approvals and accepts queue up
    rather than both reading "one approval short" (see DecisionQuerySet.locked)."""
    return Decision.objects.filter(pk=pk).locked().select_related("workspace", "owner").get()


def current_record(decision: Decision) -> Record:
    return Decision.objects.with_record().get(pk=decision.pk).to_record()


def current_sha256(decision: Decision) -> str:
    """The hash of what the decision says now, read from the database."""
    return content_sha256(Decision.objects.with_record().get(pk=decision.pk))


def is_workspace_admin(workspace: Workspace, user) -> bool:
    role = workspace.role_of(user) if user is not None else None
    return role is not None and "admin" in RIGHTS[role]


def author_ids(decision: Decision, round: ReviewRound | None) -> set[int]:
    """Who may not approve the text to be frozen next: its owner, whoever opened the review,
    and everyone who wrote any of it or sent it to review since the last version.

    One query, however many contributions: a page asks it once and passes it down
    (`ReviewRound.standing_approvals(sha256, authors)`), an approval asks it under its lock."""
    writers = Contribution.objects.filter(decision=decision, version__isnull=True)
    ids = set(writers.order_by().values_list("user", flat=True).union(admin_editors(decision)))
    ids |= {decision.owner_id, round.opened_by_id if round else None}
    ids.discard(None)
    return ids


# Before any admin edit could have been logged: "since the last version" when there is none.
BEFORE_ANY_VERSION = datetime(1970, 1, 1, tzinfo=UTC)


def admin_editors(decision: Decision) -> models.QuerySet:
    """Staff who changed the decision in the admin since its last version (their ids, a query
    to run or to join). The admin's form may edit any status (it is the operators' repair
    tool) and logs each change it saves; the decisions app cannot know about reviews, so their
    authorship is read from that log."""
    last = (
        Version.objects.filter(decision=decision)
        .order_by()
        .values("decision")
        .annotate(at=Max("created_at"))
        .values("at")
    )
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Decision),
            object_id=str(decision.pk),
            action_flag=CHANGE,
            action_time__gt=Coalesce(Subquery(last), Value(BEFORE_ANY_VERSION)),
        )
        .order_by()
        .values_list("user", flat=True)
    )


def authors_of(decision: Decision, round: ReviewRound | None) -> list:
    people = [decision.owner, round.opened_by if round else None]
    people += [
        c.user
        for c in Contribution.objects.filter(decision=decision, version__isnull=True)
        .select_related("user")
        .order_by("at", "id")
    ]
    seen, result = set(), []
    for person in people:
        if person is not None and person.pk not in seen:
            seen.add(person.pk)
            result.append(person)
    return result


def tell_authors(decision: Decision, round: ReviewRound | None, by, message: str, url: str) -> None:
    """Notify the decision's authors of what `by` did, except `by`, who knows already."""
    for author in authors_of(decision, round):
        if author.pk != by.pk:
            notify(author, message, url)


def submit_for_review(
    decision: Decision, by=None, reviewers=(), approvals_needed: int | None = None
) -> StatusChange:
    """Send the draft to review, naming who is asked and how many approvals it needs.

    Refused with `IncompleteDraft` while a required item is missing: every way to review
    (the editor, the review panel, scripts) comes through here.
    """
    with transaction.atomic():
        # Lock the row so an edit cannot slip in between the check and the move; then judge
        # what is stored, not what this instance may have cached.
        if lock_decision(decision.pk).can_move_to(Status.IN_REVIEW):
            if missing := required(gaps(current_record(decision))):
                raise IncompleteDraft(missing)
            refuse_superseding_drafts(decision)
        change = decision.move_to(Status.IN_REVIEW, by=by)
        # Who sends a text to review vouches for it: their approval of it cannot be the second
        # pair of eyes, even when someone else opened the round.
        Contribution.record(decision, by, Contribution.Kind.SUBMITTED)
        ReviewRound.open_for(
            decision, by=by, reviewers=reviewers, approvals_needed=approvals_needed
        )
    return change


# What a successor may supersede: a decision that was accepted (here or elsewhere), or one in
# review that the successor makes moot. A draft is nobody's decision yet: it is withdrawn.
SUPERSEDABLE = {Status.ACCEPTED, Status.ELSEWHERE, Status.IN_REVIEW}


def superseded_drafts(decision: Decision) -> list[Decision]:
    """The drafts this decision says it supersedes."""
    relations = decision.relations.filter(kind="supersedes", target__status=Status.DRAFT)
    return [r.target for r in relations.select_related("target")]


def refuse_superseding_drafts(decision: Decision) -> None:
    """A decision that would supersede a draft does not go to review: the draft is withdrawn
    first (or the relation removed), so no accepted decision ever "supersedes" an open draft."""
    if drafts := superseded_drafts(decision):
        names = ", ".join(d.ref for d in drafts)
        raise ReviewError(
            f"This decision supersedes {names}, a draft, but only a decision that is accepted "
            "or in review can be superseded. Withdraw the draft on its page, or remove the "
            "relation in the editor's Outcome step."
        )


def supersede(older: Decision, successor: Decision, by) -> None:
    """What accepting `successor` does to a decision it supersedes, under `older`'s row lock.

    Accepted or in review: superseded (its open review closes). A draft (reopened since the
    successor went to review): withdrawn, with the reason on its history, so it is neither
    "Draft" nor editable while its page says "Superseded by". Ended ones are left as they are.
    """
    reason = f"Superseded by {successor.ref}."
    if older.status == Status.DRAFT:
        older.move_to(
            Status.REJECTED,
            by=by,
            reason=f"Withdrawn: {successor.ref} supersedes it and was accepted before this draft.",
        )
        return
    if older.status not in SUPERSEDABLE:
        return
    older.move_to(Status.SUPERSEDED, by=by, reason=reason)
    if round := ReviewRound.objects.open().filter(decision=older).first():
        round.close(Status.SUPERSEDED)


class Contribution(models.Model):
    """Someone wrote part of the text that the next version will freeze, or sent it to review.

    Every path that saves a decision's text records one (`Contribution.record`): the editor's
    saves, the importer, submitting. Freezing a version stamps the open ones with it, so only
    the writers of the text being reviewed count as its authors.
    """

    class Kind(models.TextChoices):
        WROTE = "wrote", "Wrote"
        SUBMITTED = "submitted", "Sent to review"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="contributions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WROTE)
    at = models.DateTimeField(default=timezone.now)
    version = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # Every approval asks for the authors of the text not frozen yet.
            models.Index(fields=["decision", "version"], name="contribution_open")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display().lower()} {self.decision.ref}"

    @classmethod
    def record(cls, decision: Decision, by, kind: str = Kind.WROTE) -> None:
        """Note that `by` wrote (or submitted) the decision's next version. One row per person
        and kind until the version is frozen; an autosave only moves its time on."""
        if by is None or not getattr(by, "is_authenticated", False):
            return  # a script or an import with nobody named: nobody to exclude
        now = timezone.now()
        mine = cls.objects.filter(decision=decision, user=by, kind=kind, version__isnull=True)
        if not mine.update(at=now):
            cls.objects.create(decision=decision, user=by, kind=kind, at=now)


class MoveConflict(IllegalTransition):
    """Someone else moved the decision since this person looked: their move is not applied."""


def move_by_hand(decision: Decision, to: str, by, reason: str = "", seen: str = "") -> StatusChange:
    """Back to draft, reopen, reject or deprecate, as a person asked having seen status `seen`.

    Judged under the decision's row lock on the status stored now: if it is no longer the one
    the person saw (an approval accepted it meanwhile), the move is refused, so "back to draft"
    clicked on a decision in review can never reopen the accepted one. Rejecting closes the open
    review in the same transaction.
    """
    with transaction.atomic():
        locked = lock_decision(decision.pk)
        if seen and locked.status != seen:
            raise MoveConflict(
                f"{locked.ref} is {locked.get_status_display().lower()} now: someone moved it "
                "while you were looking. Nothing was changed; reload to see it."
            )
        change = decision.move_to(to, by=by, reason=reason)
        if to == Status.REJECTED:
            round = ReviewRound.objects.open().filter(decision=decision).first()
            if round is not None:
                round.close(Status.REJECTED)
    return change


class ReviewRoundQuerySet(models.QuerySet):
    def open(self) -> ReviewRoundQuerySet:
        return self.filter(closed_at__isnull=True)


class ReviewRound(models.Model):
    """One review of a draft, from its first submission until it is accepted or rejected."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="review_rounds")
    approvals_needed = models.PositiveSmallIntegerField(default=1)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="review_rounds"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)

    objects = ReviewRoundQuerySet.as_manager()

    class Meta:
        ordering = ["decision", "opened_at", "id"]
        constraints = [
            # Approvals and change requests must all count towards one review at a time.
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(closed_at__isnull=True),
                name="one_open_review_per_decision",
            ),
            models.CheckConstraint(
                condition=Q(approvals_needed__gte=1), name="review_needs_an_approval"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.decision.ref} ({self.opened_at:%Y-%m-%d})"

    @classmethod
    def open_for(
        cls,
        decision: Decision,
        by=None,
        reviewers: Iterable = (),
        approvals_needed: int | None = None,
    ) -> ReviewRound:
        """The decision's open review (a draft sent back keeps its review), naming reviewers.

        The workspace's minimum of approvals holds for everyone but its admins, and every
        number other than the minimum is written to the audit log with who chose it.
        """
        with transaction.atomic():
            return cls._open_for(decision, by, reviewers, approvals_needed)

    @classmethod
    def _open_for(cls, decision, by, reviewers, approvals_needed) -> ReviewRound:
        # Judged on the status under the row lock: asking reviewers on a page read before an
        # approval accepted the decision must not open a new review of the accepted text.
        locked = lock_decision(decision.pk)
        if locked.status != Status.IN_REVIEW:
            raise ReviewError(f"{locked.ref} is {locked.get_status_display().lower()} now.")
        workspace = decision.workspace
        minimum = workspace.default_approvals or 1
        round = cls.objects.open().filter(decision=decision).first()
        before = round.approvals_needed if round else minimum
        wanted = approvals_needed or before
        if wanted < minimum and wanted != before and not is_workspace_admin(workspace, by):
            raise ReviewError(
                f"This workspace asks for at least {minimum} approvals; only a workspace admin "
                "may ask for fewer."
            )
        if round is None:
            round = cls.objects.create(decision=decision, opened_by=by, approvals_needed=wanted)
        elif wanted != before:
            round.approvals_needed = wanted
            round.save(update_fields=["approvals_needed"])
        if wanted != before:
            record_event(
                workspace,
                by,
                "approvals_needed_changed",
                target=decision,
                before=before,
                after=wanted,
                minimum=minimum,
            )
        round.ask(reviewers, by=by)
        return round

    def ask(self, reviewers: Iterable, by=None) -> list:
        """Name more reviewers; each must be a member allowed to review. Returns who is new."""
        wanted = {u.pk for u in reviewers}
        allowed = set(
            self.decision.workspace.memberships.filter(
                user__in=wanted, role__in=REVIEW_ROLES
            ).values_list("user", flat=True)
        )
        if wanted - allowed:
            raise ReviewError("Reviewers must be members of the workspace who may review.")
        if authors := [u for u in reviewers if u.pk in author_ids(self.decision, self)]:
            names = ", ".join(display_name(u) for u in authors)
            raise ReviewError(
                f"{names} wrote or submitted this text, so cannot review it: name someone else."
            )
        already = set(self.reviewers.values_list("pk", flat=True))
        new = [u for u in reviewers if u.pk not in already]
        self.reviewers.add(*new)
        url = self.decision.get_absolute_url()
        for user in new:
            if by is None or user.pk != by.pk:  # naming yourself needs no message to yourself
                notify(user, f"{display_name(by)} asks you to review {self.decision}.", url)
            record_event(
                self.decision.workspace,
                by,
                "review_requested",
                target=self.decision,
                reviewer=user.username,
            )
        return new

    # --- what the page shows ---------------------------------------------------------------

    def standing_approvals(self, sha256: str, authors: set[int] | None = None) -> list[Approval]:
        """Approvals that count: one per reviewer, on exactly this content, by none of its
        authors (an approval stops counting when its reviewer then writes part of the text).
        `authors`: `author_ids(decision, self)` when the caller has it already."""
        seen = set(author_ids(self.decision, self) if authors is None else authors)
        result = []
        for approval in self.approvals.all():
            if approval.sha256 == sha256 and approval.reviewer_id not in seen:
                seen.add(approval.reviewer_id)
                result.append(approval)
        return result

    def stale_approvals(self, sha256: str, authors: set[int] | None = None) -> list[Approval]:
        """Approvals of earlier content by reviewers who have not approved the current one."""
        if authors is None:
            authors = author_ids(self.decision, self)
        standing = {a.reviewer_id for a in self.standing_approvals(sha256, authors)}
        seen, result = set(authors), []
        for approval in sorted(self.approvals.all(), key=lambda a: a.at, reverse=True):
            if approval.reviewer_id not in standing and approval.reviewer_id not in seen:
                seen.add(approval.reviewer_id)
                result.append(approval)
        return result

    def authors_approvals(self, authors: set[int] | None = None) -> list[Approval]:
        """Approvals given by people who have since written or submitted the text: void."""
        if authors is None:
            authors = author_ids(self.decision, self)
        seen, result = set(), []
        for approval in self.approvals.all():
            if approval.reviewer_id in authors and approval.reviewer_id not in seen:
                seen.add(approval.reviewer_id)
                result.append(approval)
        return result

    def open_change_requests(self) -> list[ChangeRequest]:
        return [c for c in self.change_requests.all() if c.resolved_at is None]

    def is_ready(self, sha256: str) -> bool:
        return (
            len(self.standing_approvals(sha256)) >= self.approvals_needed
            and not self.open_change_requests()
        )

    # --- what reviewers do -----------------------------------------------------------------

    def _locked(self) -> tuple[Decision, ReviewRound]:
        decision = lock_decision(self.decision_id)
        round = ReviewRound.objects.get(pk=self.pk)
        if decision.status != Status.IN_REVIEW or round.closed_at is not None:
            raise ReviewError(f"{decision.ref} is not in review.")
        round.decision = decision
        return decision, round

    def approve(self, by, review_by=None) -> Approval:
        """Approve the content as it is now; accept the decision if that was the last one due.
        `review_by`: the date this reviewer wants the accepted decision looked at again."""
        if review_by is not None and review_by <= timezone.localdate():
            raise ReviewError("The review date must be after today.")
        with transaction.atomic():
            decision, round = self._locked()
            if by.pk in author_ids(decision, round):
                raise ReviewError(
                    "You wrote or submitted this text, so your approval cannot count for it: "
                    "someone else must review it."
                )
            sha256 = current_sha256(decision)
            approval, created = Approval.objects.get_or_create(
                round=round, reviewer=by, sha256=sha256, defaults={"review_by": review_by}
            )
            if not created and review_by and approval.review_by != review_by:
                approval.review_by = review_by
                approval.save(update_fields=["review_by"])
            # Approving says the reviewer's own change requests are met.
            round.change_requests.filter(reviewer=by, resolved_at__isnull=True).update(
                resolved_at=timezone.now()
            )
            if created:
                record_event(decision.workspace, by, "approved", target=decision, sha256=sha256)
                tell_authors(
                    decision,
                    round,
                    by,
                    f"{display_name(by)} approved {decision}.",
                    decision.get_absolute_url(),
                )
            round.accept_if_ready(decision, sha256, by)
        return approval

    def request_changes(self, by, note: str) -> ChangeRequest:
        if not note.strip():
            raise ReviewError("Say what should change.")
        with transaction.atomic():
            decision, round = self._locked()
            change = ChangeRequest.objects.create(
                round=round,
                reviewer=by,
                note=note,
                sha256=current_sha256(decision),
            )
            record_event(decision.workspace, by, "changes_requested", target=decision)
            tell_authors(
                decision,
                round,
                by,
                f"{display_name(by)} asks for changes to {decision}.",
                decision.get_absolute_url(),
            )
        return change

    def accept_if_ready(self, decision: Decision, sha256: str, by) -> Version | None:
        """Accept and freeze the next version if the review is complete. Decision row locked."""
        if not self.is_ready(sha256):
            return None
        standing = self.standing_approvals(sha256)
        # Said in words: the hash is in the version and its approvals, for whoever checks it.
        count = f"{len(standing)} approval{'s' if len(standing) != 1 else ''}"
        decision.move_to(
            Status.ACCEPTED,
            by=by,
            reason=f"{count} of the text frozen as v{Version.next_number(decision)}",
        )
        # Due for review after the workspace's period, unless the approvers chose a date (the
        # earliest of theirs): set before the freeze, so the version's front matter says it.
        chosen = [a.review_by for a in standing if a.review_by]
        decision.review_by = (
            min(chosen) if chosen else decision.workspace.next_review(timezone.localdate())
        )
        Decision.objects.filter(pk=decision.pk).update(review_by=decision.review_by)
        version = Version.freeze(
            decision,
            current_record(decision),
            approvals=[
                {
                    "reviewer": a.reviewer.username,
                    "name": display_name(a.reviewer),
                    "approved_at": a.at.isoformat(),
                    "content_sha256": a.sha256,
                }
                for a in standing
            ],
            accepted_by=display_name(by),
        )
        Approval.objects.filter(pk__in=[a.pk for a in standing]).update(version=version)
        # The text is frozen: its writers are this version's, and the next draft starts afresh.
        Contribution.objects.filter(decision=decision, version__isnull=True).update(version=version)
        self.closed_at = timezone.now()
        self.outcome = Status.ACCEPTED
        self.save(update_fields=["closed_at", "outcome"])
        record_event(
            decision.workspace,
            by,
            "version_frozen",
            target=decision,
            version=version.number,
            sha256=version.sha256,
        )
        for relation in decision.relations.filter(kind="supersedes"):
            # The older decision's own status, read under its row lock: a deprecation that
            # landed meanwhile is respected, not overwritten.
            supersede(lock_decision(relation.target_id), decision, by)
        return version

    def close(self, outcome: str) -> None:
        self.closed_at = timezone.now()
        self.outcome = outcome
        self.save(update_fields=["closed_at", "outcome"])


class Approval(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="approvals")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="approvals"
    )
    sha256 = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)
    version = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The review date this approver asks for, instead of the workspace's period.
    review_by = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            # One approval per reviewer per content: clicking twice must not count twice.
            models.UniqueConstraint(
                fields=["round", "reviewer", "sha256"], name="one_approval_per_content"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} approved {self.sha256[:12]}"


class ChangeRequest(models.Model):
    """A reviewer's "not like this": open until that reviewer approves or withdraws it."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="change_requests")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="change_requests"
    )
    note = models.TextField()
    sha256 = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.reviewer} asks for changes"

    def withdraw(self, by) -> None:
        if by.pk != self.reviewer_id:
            raise ReviewError("Only the reviewer who asked can withdraw a change request.")
        with transaction.atomic():
            decision, round = self.round._locked()
            ChangeRequest.objects.filter(pk=self.pk).update(resolved_at=timezone.now())
            record_event(decision.workspace, by, "change_request_withdrawn", target=decision)
            round.accept_if_ready(decision, current_sha256(decision), by)


class ThreadQuerySet(models.QuerySet):
    def for_panel(self) -> ThreadQuerySet:
        return self.select_related("opened_by", "resolved_by").prefetch_related(
            models.Prefetch("comments", queryset=Comment.objects.select_related("author"))
        )


class Thread(models.Model):
    """Comments on one section of a decision, resolvable and reopenable."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="threads")
    round = models.ForeignKey(
        ReviewRound, null=True, blank=True, on_delete=models.SET_NULL, related_name="threads"
    )
    section = models.CharField(max_length=250)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "id"]
        indexes = [
            # The page lists a decision's threads, open ones first.
            models.Index(fields=["decision", "resolved_at"], name="thread_decision_open")
        ]

    def __str__(self) -> str:
        return f"{self.decision.ref}: {section_label(self.section)}"

    @property
    def label(self) -> str:
        return section_label(self.section)

    @property
    def anchor(self) -> str:
        return f"thread-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @classmethod
    def start(cls, decision: Decision, section: str, by, body: str) -> Thread:
        with transaction.atomic():
            round = ReviewRound.objects.open().filter(decision=decision).first()
            thread = cls.objects.create(
                decision=decision, round=round, section=section, opened_by=by
            )
            thread.reply(by, body)
        return thread

    def reply(self, by, body: str) -> Comment:
        if not body.strip():
            raise ReviewError("Write a comment first.")
        comment = Comment.objects.create(thread=self, author=by, body=body)
        decision = self.decision
        tell_authors(
            decision,
            self.round,
            by,
            f"{display_name(by)} commented on {section_label(self.section)} of {decision}.",
            decision.get_absolute_url() + f"#{self.anchor}",
        )
        return comment

    def resolve(self, by) -> None:
        Thread.objects.filter(pk=self.pk).update(resolved_at=timezone.now(), resolved_by=by)
        self.refresh_from_db()

    def reopen(self, by) -> None:
        Thread.objects.filter(pk=self.pk).update(resolved_at=None, resolved_by=None)
        self.refresh_from_db()


class Comment(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(help_text="Markdown.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{display_name(self.author)}: {self.body[:40]}"
