from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Max, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from apps.activity.events import record_event
from apps.formats import criteria
from apps.formats import record as rec
from apps.workspaces.models import Workspace


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    DEPRECATED = "deprecated", "Deprecated"
    SUPERSEDED = "superseded", "Superseded"
    # Imported as accepted: decided by another process, not reviewed here. Never "accepted", so
    # an import cannot publish a decision past review; adopting it here means reopening a draft.
    ELSEWHERE = "elsewhere", "Accepted elsewhere"


# The lifecycle: draft -> in review -> accepted or rejected; accepted -> deprecated or superseded.
# Sending a draft back (changes requested) and reopening start the next round of work.
# Only a decision accepted or in review is superseded; a draft is withdrawn (rejected) instead,
# so no page says "Superseded by" above a text still open for editing.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.IN_REVIEW, Status.REJECTED},
    Status.IN_REVIEW: {Status.ACCEPTED, Status.REJECTED, Status.DRAFT, Status.SUPERSEDED},
    Status.ACCEPTED: {Status.DEPRECATED, Status.SUPERSEDED, Status.DRAFT},
    Status.REJECTED: {Status.DRAFT},
    Status.DEPRECATED: set(),
    Status.SUPERSEDED: set(),
    Status.ELSEWHERE: {Status.DRAFT, Status.DEPRECATED, Status.SUPERSEDED},
}
# Moves that must say why, so the history explains them.
NEEDS_REASON = {Status.REJECTED, Status.DEPRECATED}


class IllegalTransition(ValidationError):
    pass


class IncompleteDraft(IllegalTransition):
    """A draft that still lacks a required item cannot go to review; `gaps` says what and where."""

    def __init__(self, gaps: list) -> None:
        self.gaps = gaps
        count = len(gaps)
        super().__init__(
            f"This draft cannot go to review yet: {count} required "
            f"{'item is' if count == 1 else 'items are'} missing."
        )


class PointKind(models.TextChoices):
    GOOD = "good", "Good"
    NEUTRAL = "neutral", "Neutral"
    BAD = "bad", "Bad"


class SupportLevel(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    PARTIAL = "partial", "Partial"
    NOT = "not", "Not supported"
    UNKNOWN = "unknown", "Not assessed"


class RelationKind(models.TextChoices):
    SUPERSEDES = "supersedes", "Supersedes"
    AMENDS = "amends", "Amends"
    RELATES_TO = "relates_to", "Relates to"
    SEE_ALSO = "see_also", "See also"


# The reverse reading of each relation, as the target's page shows it.
INVERSE_KIND = {
    RelationKind.SUPERSEDES: "superseded_by",
    RelationKind.AMENDS: "amended_by",
    RelationKind.RELATES_TO: "relates_to",
    RelationKind.SEE_ALSO: "see_also",
}


class ParticipantRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", "Decision maker"
    CONSULTED = "consulted", "Consulted"
    INFORMED = "informed", "Informed"


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Tags are how people filter the log; duplicates would split one topic in two.
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_tag_per_workspace")
        ]

    def __str__(self) -> str:
        return self.name


class DecisionQuerySet(models.QuerySet):
    def locked(self) -> DecisionQuerySet:
        """These rows, locked until the transaction ends, so lifecycle steps queue up.

        PostgreSQL locks the rows (SELECT ... FOR UPDATE). SQLite has no row locks and ignores FOR
        UPDATE; a no-op write takes its database write lock now, so two steps wait for each other
        rather than both acting on what they read before.
        """
        if connection.vendor == "sqlite":
            self.update(number=models.F("number"))
        return self.select_for_update(of=("self",))

    def for_user(self, user, workspaces: list | None = None) -> DecisionQuerySet:
        """The decisions of the workspaces `user` is a member of. `workspaces`: those workspaces
        when the caller has read them (`Workspace.objects.for_user(user)`); the rights are then
        a list of ids, which SQLite reads the log's index with in order, so a page of the log
        reads 50 rows instead of sorting all of them (180 ms to 25 ms at 10,000 decisions)."""
        if not user.is_authenticated:
            return self.none()
        if workspaces is not None:
            return self.filter(workspace_id__in=[w.pk for w in workspaces])
        return self.filter(workspace__memberships__user=user)

    def for_log(self) -> DecisionQuerySet:
        # Lists show no long text: leaving it out keeps sorting thousands of rows cheap.
        return (
            self.select_related("workspace", "owner")
            .prefetch_related("tags")
            .defer(*LONG_TEXT, "workspace__description")
        )

    def with_record(self) -> DecisionQuerySet:
        """Everything `to_record()` reads, in a fixed number of queries whatever the size."""
        return self.select_related("workspace", "owner", "chosen").prefetch_related(
            "tags",
            "participants",
            Prefetch("scenarios", queryset=Scenario.objects.prefetch_related("points")),
            "consequences",
            Prefetch(
                "considerations",
                queryset=Consideration.objects.prefetch_related(
                    Prefetch(
                        "options",
                        queryset=AuthOption.objects.prefetch_related(
                            Prefetch("support", queryset=Support.objects.select_related("scenario"))
                        ),
                    )
                ),
            ),
            Prefetch("relations", queryset=Relation.objects.select_related("target")),
            Prefetch("inverse_relations", queryset=Relation.objects.select_related("source")),
            "references",
            "free_sections",
            Prefetch(
                "confirmation_items", queryset=ConfirmationItem.objects.select_related("owner")
            ),
            Prefetch(
                "answers", queryset=Answer.objects.prefetch_related("needs", "rules_out", "favours")
            ),
            Prefetch(
                "criteria",
                queryset=Criterion.objects.select_related("option").prefetch_related("scores"),
            ),
        )


LONG_TEXT = ["context", "overview", "drivers", "options_intro", "rationale", "confirmation"]


class Decision(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="decisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_decisions",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="decisions")
    context = models.TextField("context and problem statement", blank=True)
    overview = models.TextField(blank=True)
    drivers = models.TextField("decision drivers", blank=True, help_text="One driver per line.")
    options_intro = models.TextField("introduction to the scenarios", blank=True)
    chosen = models.ForeignKey(
        "Scenario",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="chosen scenario",
    )
    rationale = models.TextField(blank=True)
    confirmation = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    # When an accepted decision must be looked at again: set as it is accepted, from the
    # workspace's review period, and moved on by "Confirm still valid" (`confirm_still_valid`).
    review_by = models.DateField("review by", null=True, blank=True)
    # Bumped on every save of the record: a save based on an older revision is a conflict.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["workspace", "-number"]
        constraints = [
            # ADR-0007 must name one decision in its workspace, in links, files and exports.
            models.UniqueConstraint(
                fields=["workspace", "number"], name="unique_decision_number_per_workspace"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="decision_status_is_known"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="decision_number_positive"),
        ]
        indexes = [
            # The log sorts and filters by these.
            models.Index(fields=["workspace", "status"], name="decision_ws_status"),
            models.Index(fields=["-updated_at"], name="decision_updated"),
            # The log's order: a page of 50 is read off this index, not sorted out of all rows.
            models.Index(fields=["workspace", "-number"], name="decision_log_order"),
            # "Due in 30 days", "overdue", the health view and the daily reminders.
            models.Index(fields=["review_by"], name="decision_review_by"),
            # A Markdown file's cache key counts the folder's decisions and takes the newest
            # change (cache.FOLDER): from this index alone, not from every row of the folder.
            models.Index(fields=["workspace", "updated_at"], name="decision_folder_stamp"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def save(self, *args, **kwargs) -> None:
        """Save edits; a status change on an existing decision must go through `move_to`.

        A new decision may start in any status, so imports keep the status of their files.
        """
        stored = getattr(self, "_stored_status", None)
        if not self._state.adding and stored is not None and self.status != stored:
            raise IllegalTransition(
                "The status changes only along the lifecycle (move_to), which records the move."
            )
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def get_absolute_url(self) -> str:
        return reverse("decisions:detail", args=[self.workspace.slug, self.number])

    @property
    def ref(self) -> str:
        return f"ADR-{self.number:04d}"

    @property
    def slug(self) -> str:
        # "Requirements/Strategy" reads as two words, as Docusaurus and adr-tools slug it.
        return slugify(self.title.replace("/", " "))[:80] or "decision"

    @property
    def file_stem(self) -> str:
        return f"{self.number:04d}-{self.slug}"

    @property
    def owner_name(self) -> str:
        return (self.owner.get_full_name() or self.owner.username) if self.owner else ""

    def clean(self) -> None:
        if self.chosen_id and self.pk and self.chosen.decision_id != self.pk:
            raise ValidationError({"chosen": "The chosen scenario must be one of this decision's."})
        if self.chosen_id and self.pk and not self.rationale.strip():
            against = self.against_suggestion()
            if against:
                raise ValidationError({"rationale": against})

    def against_suggestion(self) -> str:
        """Why choosing this outcome needs a reason: it is not the suggested scenario (or none
        can be suggested and it is ruled out). Empty when the choice follows the suggestion."""
        if not self.chosen_id:
            return ""
        ranking = criteria.rank(self.to_record())
        chosen = self.chosen.title
        standing = next((s for s in ranking.standings if s.scenario == chosen), None)
        if ranking.suggested and ranking.suggested != chosen:
            return (
                f"{ranking.suggested} is suggested, not {chosen}: say in the rationale why the "
                "team chooses otherwise."
            )
        if standing is not None and standing.ruled_out:
            return (
                f"{chosen} does not meet “{standing.unmet[0]}”: say in the rationale why the team "
                "chooses it anyway."
            )
        return ""

    @classmethod
    def next_number(cls, workspace: Workspace) -> int:
        top = cls.objects.filter(workspace=workspace).aggregate(top=Max("number"))["top"]
        return (top or 0) + 1

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember the status as stored, so a save can tell a status change from an edit.
        instance._stored_status = instance.__dict__.get("status")
        return instance

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._stored_status = self.__dict__.get("status")

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, set())

    def move_to(self, status: str, by=None, reason: str = "") -> StatusChange:
        """Change the status along the lifecycle, recording who, when and why.

        The move is judged on the status stored now, read under the row lock: a move decided on
        an older read (an approval accepted the decision meanwhile) is refused, never applied.
        """
        with transaction.atomic():
            return self._move_to(status, by, reason)

    def _move_to(self, status: str, by, reason: str) -> StatusChange:
        stored = Decision.objects.filter(pk=self.pk).locked().values_list("status", flat=True)
        self.status = self._stored_status = stored.get()
        if not self.can_move_to(status):
            raise IllegalTransition(
                f"A decision cannot go from {self.get_status_display().lower()} to "
                f"{Status(status).label.lower()}."
            )
        if status in NEEDS_REASON and not reason.strip():
            raise IllegalTransition(f"Say why the decision is {Status(status).label.lower()}.")
        change = StatusChange.objects.create(
            decision=self, from_status=self.status, to_status=status, by=by, reason=reason
        )
        self.status = self._stored_status = status
        if status in {Status.ACCEPTED, Status.REJECTED}:
            self.decided_on = change.at.date()
        moved = {"status": status, "decided_on": self.decided_on, "updated_at": change.at}
        if change.from_status in {Status.ACCEPTED, Status.ELSEWHERE}:
            # Reopened, deprecated or superseded: nothing is left to review by that date.
            self.review_by = moved["review_by"] = None
        # Only the status moves here: a transition must never overwrite someone's edit.
        Decision.objects.filter(pk=self.pk).update(**moved)
        record_event(
            self.workspace,
            by,
            "status_changed",
            target=self,
            from_status=change.from_status,
            to_status=status,
            reason=reason,
        )
        return change

    def bump_revision(self, revision: int, drafts_only: bool = True, **changes) -> bool:
        """Apply `changes` and move to the next revision, only if nobody saved since `revision`.

        The optimistic lock of every edit (the editor, the admin): one conditional UPDATE, so of
        two people saving the same revision one wins and the other is told, never overwritten.
        The editor changes drafts only: a decision in review is what its reviewers are reading.
        """
        rows = Decision.objects.filter(pk=self.pk, revision=revision)
        if drafts_only:
            rows = rows.filter(status=Status.DRAFT)
        now = timezone.now()
        if not rows.update(revision=models.F("revision") + 1, updated_at=now, **changes):
            return False
        for name, value in changes.items():
            setattr(self, name, value)
        self.revision, self.updated_at = revision + 1, now
        return True

    @property
    def needs_attention(self) -> bool:
        """A confirmation failed: the decision makers were told, and the decision shows it."""
        return any(i.state == ConfirmationState.FAILED for i in self.confirmation_items.all())

    @property
    def review_due(self) -> bool:
        return self.review_by is not None and self.review_by <= timezone.localdate()

    def confirm_still_valid(self, by, note: str = "", until=None) -> ReviewEvent:
        """Record that the accepted decision still holds and move its review date on: to
        `until`, or by the workspace's review period from today. No new version: the text is
        what was approved. Judged on the status under the row lock."""
        today = timezone.localdate()
        if until is not None and until <= today:
            raise ValidationError("The next review date must be after today.")
        with transaction.atomic():
            stored = Decision.objects.filter(pk=self.pk).locked().values("status", "review_by")
            row = stored.get()
            if row["status"] not in {Status.ACCEPTED, Status.ELSEWHERE}:
                raise IllegalTransition(
                    f"{self.ref} is {Status(row['status']).label.lower()}: only an accepted "
                    "decision is confirmed as still valid."
                )
            after = until or self.workspace.next_review(today)
            event = ReviewEvent.objects.create(
                decision=self,
                by=by,
                by_name=(by.get_full_name() or by.username) if by else "",
                note=note,
                review_by_before=row["review_by"],
                review_by_after=after,
            )
            # The review date only, never the text: no revision, so no edit is overwritten.
            # `updated_at` moves, so pages cached by it (apps/decisions/cache.py) show the date.
            now = timezone.now()
            Decision.objects.filter(pk=self.pk).update(review_by=after, updated_at=now)
            self.review_by, self.updated_at = after, now
            record_event(
                self.workspace,
                by,
                "review_confirmed",
                target=self,
                note=note,
                review_by_before=row["review_by"].isoformat() if row["review_by"] else "",
                review_by=after.isoformat(),
            )
        return event

    def participant_names(self, role: str) -> list[str]:
        return [p.name for p in self.participants.all() if p.role == role]

    def to_record(self) -> rec.Record:
        """The whole record as plain data; reads only prefetched rows (see `with_record`)."""
        scenarios = list(self.scenarios.all())
        relations = [
            rec.RelationEntry(
                kind=r.kind,
                number=r.target.number,
                title=r.target.title,
                target=r.target.file_stem + ".md",
            )
            for r in self.relations.all()
        ] + [
            rec.RelationEntry(
                kind=INVERSE_KIND[r.kind],
                number=r.source.number,
                title=r.source.title,
                target=r.source.file_stem + ".md",
            )
            for r in self.inverse_relations.all()
        ]
        return rec.Record(
            title=self.title,
            number=self.number,
            # "elsewhere" as it is: the page, the PDF and the API must not call an unreviewed
            # decision accepted. Files say "accepted", as their source did (`export_record`).
            status=self.status,
            date=(self.decided_on or self.updated_at or self.created_at).strftime("%Y-%m-%d")
            if (self.decided_on or self.updated_at or self.created_at)
            else "",
            workspace=self.workspace.slug,
            owner=self.owner_name,
            decision_makers=self.participant_names(ParticipantRole.DECISION_MAKER),
            consulted=self.participant_names(ParticipantRole.CONSULTED),
            informed=self.participant_names(ParticipantRole.INFORMED),
            tags=sorted(t.name for t in self.tags.all()),
            context=self.context,
            overview=self.overview,
            drivers=[line.strip() for line in self.drivers.splitlines() if line.strip()],
            options_intro=self.options_intro,
            scenarios=[s.to_record() for s in scenarios],
            chosen=self.chosen.title if self.chosen else "",
            rationale=self.rationale,
            consequences=[rec.Point(kind=c.kind, text=c.text) for c in self.consequences.all()],
            confirmation=self.confirmation,
            confirmation_items=[i.to_record() for i in self.confirmation_items.all()],
            review_by=self.review_by.isoformat() if self.review_by else "",
            considerations=[c.to_record(scenarios) for c in self.considerations.all()],
            relations=relations,
            references=[
                rec.ReferenceEntry(title=r.title, url=r.url) for r in self.references.all()
            ],
            sections=[
                rec.SectionEntry(heading=s.heading, body=s.body, after=s.after, level=s.level)
                for s in self.free_sections.all()
            ],
            answers=[a.to_record() for a in self.answers.all()],
            criteria=self.criteria_records(scenarios),
        )

    def criteria_records(self, scenarios: list[Scenario]) -> list[rec.CriterionEntry]:
        """The weighted drivers: only criteria whose driver is still listed, in the drivers'
        order (a driver renamed in the Problem step leaves its old weights behind, unused)."""
        drivers = [line.strip() for line in self.drivers.splitlines() if line.strip()]
        by_title = {c.title: c for c in self.criteria.all()}
        return [by_title[d].to_record(scenarios) for d in dict.fromkeys(drivers) if d in by_title]


class StatusChange(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # The timeline lists status changes by time across a workspace.
            models.Index(fields=["at"], name="status_change_at")
        ]

    def __str__(self) -> str:
        return f"{self.decision.ref}: {self.from_status} -> {self.to_status}"


class Ordered(models.Model):
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Participant(Ordered):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(max_length=20, choices=ParticipantRole.choices)
    name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta(Ordered.Meta):
        constraints = [
            # Listing the same person twice as consulted says nothing more.
            models.UniqueConstraint(
                fields=["decision", "role", "name"], name="unique_participant_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Scenario(Ordered):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="scenarios")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    choose_when = models.TextField(
        "choose this when", blank=True, help_text="Guidance: when is this the right option?"
    )

    class Meta(Ordered.Meta):
        constraints = [
            # The matrix and the outcome name scenarios by title; two alike would be ambiguous.
            models.UniqueConstraint(fields=["decision", "title"], name="unique_scenario_title")
        ]

    def __str__(self) -> str:
        return self.title

    def to_record(self) -> rec.ScenarioEntry:
        return rec.ScenarioEntry(
            title=self.title,
            description=self.description,
            choose_when=self.choose_when,
            points=[rec.Point(kind=p.kind, text=p.text) for p in self.points.all()],
        )


class ScenarioPoint(Ordered):
    """A pro or con of a scenario, in MADR's words: good, neutral or bad, because ..."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(max_length=10, choices=PointKind.choices)
    text = models.TextField()

    class Meta(Ordered.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PointKind.values), name="scenario_point_kind_is_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, because {self.text}"


class Consequence(Ordered):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="consequences")
    kind = models.CharField(max_length=10, choices=PointKind.choices)
    text = models.TextField()

    class Meta(Ordered.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PointKind.values), name="consequence_kind_is_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, because {self.text}"


class Consideration(Ordered):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="considerations")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    is_open = models.BooleanField(
        "open", default=True, help_text="Open until the team has settled it."
    )

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(fields=["decision", "title"], name="unique_consideration_title")
        ]

    def __str__(self) -> str:
        return self.title

    def to_record(self, scenarios: list[Scenario]) -> rec.ConsiderationEntry:
        return rec.ConsiderationEntry(
            title=self.title,
            body=self.body,
            is_open=self.is_open,
            options=[o.to_record(scenarios) for o in self.options.all()],
        )


class AuthOption(Ordered):
    """An option a consideration can be met with (e.g. IAM for authentication)."""

    consideration = models.ForeignKey(
        Consideration, on_delete=models.CASCADE, related_name="options"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(fields=["consideration", "title"], name="unique_option_title")
        ]

    def __str__(self) -> str:
        return self.title

    def to_record(self, scenarios: list[Scenario]) -> rec.AuthOptionEntry:
        cells = {cell.scenario_id: cell for cell in self.support.all()}
        return rec.AuthOptionEntry(
            title=self.title,
            description=self.description,
            support=[
                rec.SupportEntry(scenario=s.title, level=cells[s.pk].level, note=cells[s.pk].note)
                if s.pk in cells
                else rec.SupportEntry(scenario=s.title)
                for s in scenarios
            ],
        )


class Support(models.Model):
    """One cell of the scenario x option matrix."""

    option = models.ForeignKey(AuthOption, on_delete=models.CASCADE, related_name="support")
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="support")
    level = models.CharField(
        max_length=10, choices=SupportLevel.choices, default=SupportLevel.UNKNOWN
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            # One answer per scenario and option; two would contradict each other.
            models.UniqueConstraint(fields=["option", "scenario"], name="one_matrix_cell_per_pair"),
            models.CheckConstraint(
                condition=Q(level__in=SupportLevel.values), name="support_level_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option} / {self.scenario}: {self.get_level_display()}"

    def clean(self) -> None:
        if self.option.consideration.decision_id != self.scenario.decision_id:
            raise ValidationError("The option and the scenario belong to different decisions.")


class Relation(models.Model):
    source = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="relations")
    target = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="inverse_relations")
    kind = models.CharField(max_length=20, choices=RelationKind.choices)

    class Meta:
        ordering = ["kind", "target__number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="unique_relation"),
            # A decision cannot supersede or amend itself.
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="relation_not_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RelationKind.values), name="relation_kind_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.ref} {self.get_kind_display().lower()} {self.target.ref}"

    def clean(self) -> None:
        if self.source.workspace_id != self.target.workspace_id:
            raise ValidationError("Relations link decisions of one workspace.")


class Reference(Ordered):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="references")
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=1000)

    def __str__(self) -> str:
        return self.title


class FreeSection(Ordered):
    """A section Adroit does not model, kept in place so nothing written or imported is lost."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="free_sections")
    heading = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    after = models.CharField(
        max_length=20,
        choices=[(a, a.replace("_", " ")) for a in rec.SECTION_ANCHORS],
        default="end",
    )
    level = models.PositiveSmallIntegerField(default=2)

    def __str__(self) -> str:
        return self.heading or "(untitled section)"


class ConfirmationState(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Failed"


class ConfirmationItem(Ordered):
    """One way compliance with the decision is checked (MADR 4's Confirmation as a checklist):
    its owner checks it by the due date and says how it went, with a note."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="confirmation_items"
    )
    text = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="confirmation_items",
    )
    # The owner as a file named them, kept when no member of the workspace has that name.
    owner_name = models.CharField(max_length=200, blank=True)
    due = models.DateField(null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=ConfirmationState.choices, default=ConfirmationState.PENDING
    )
    note = models.CharField(max_length=1000, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_by_name = models.CharField(max_length=200, blank=True)
    set_at = models.DateTimeField(null=True, blank=True)

    class Meta(Ordered.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ConfirmationState.values),
                name="confirmation_state_is_known",
            )
        ]
        indexes = [
            # Reminders and the health view look for pending items by due date, failed by state.
            models.Index(fields=["state", "due"], name="confirmation_state_due")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def owner_label(self) -> str:
        # As a file named them, so an imported checklist reads back as it was written.
        if self.owner_name or not self.owner:
            return self.owner_name
        return self.owner.get_full_name() or self.owner.username

    def to_record(self) -> rec.ConfirmationEntry:
        return rec.ConfirmationEntry(
            text=self.text,
            owner=self.owner_label,
            due=self.due.isoformat() if self.due else "",
            state=self.state,
            note=self.note,
            by=self.set_by_name,
            at=self.set_at.date().isoformat() if self.set_at else "",
        )


class ReviewEvent(models.Model):
    """Confirm still valid: someone looked at an accepted decision again and found it holds.
    The review date moves on; the text, and so the version, stay as they are."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="review_events")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    review_by_before = models.DateField(null=True, blank=True)
    review_by_after = models.DateField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.decision.ref} still valid ({self.at:%Y-%m-%d})"


class SourceFile(models.Model):
    """The file an imported decision came from, kept so that exporting gives the team its folder
    back: an untouched decision is written as it came, at its own path, in its own dialect."""

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="source")
    path = models.CharField(max_length=500, help_text="Relative to the imported folder, with /.")
    dialect = models.CharField(
        max_length=20, help_text="madr2, madr3, madr4, nygard, log4brains, ..."
    )
    text = models.TextField(help_text="The file as it was imported, decoded as UTF-8.")
    status_text = models.CharField(
        max_length=200, blank=True, help_text="The status as the file wrote it, e.g. 'Implemented'."
    )
    imported_at = models.DateTimeField(default=timezone.now)
    # The record as it stood right after the import (Record.to_dict): while the decision still
    # renders as this did, it is untouched and exports as `text`; once edited, the edits are
    # spliced into `text` (apps/decisions/rendering.py).
    record = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.path


# --- Deciding: answers to the kit's questions, weighted criteria and scores --------------------


class Answer(Ordered):
    """The team's answer to one of its kit's questions, with what it means for the scenarios
    (resolved from the kit when answered, so the record stands without the kit)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="answers")
    key = models.SlugField(max_length=100, blank=True, help_text="The kit question's key.")
    question = models.CharField(max_length=300)
    answer = models.CharField(max_length=200)
    note = models.CharField(max_length=500, blank=True)
    needs = models.ManyToManyField(AuthOption, blank=True, related_name="+")
    rules_out = models.ManyToManyField(Scenario, blank=True, related_name="+")
    favours = models.ManyToManyField(Scenario, blank=True, related_name="+")
    # Options an imported answer needs that this decision does not have (yet): kept by title, so
    # the record keeps them; they count once an option of that title is linked.
    unlinked_needs = models.JSONField(default=list, blank=True)

    class Meta(Ordered.Meta):
        constraints = [
            # One answer per question: a second would contradict the first.
            models.UniqueConstraint(fields=["decision", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question} {self.answer}"

    def to_record(self) -> rec.AnswerEntry:
        return rec.AnswerEntry(
            question=self.question,
            answer=self.answer,
            note=self.note,
            needs=[o.title for o in self.needs.all()] + list(self.unlinked_needs),
            rules_out=[s.title for s in self.rules_out.all()],
            favours=[s.title for s in self.favours.all()],
        )


class Criterion(Ordered):
    """A decision driver's weight; its scenarios' scores are `Score` rows, or, for an
    authentication need (`option`), the support matrix's levels."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(max_length=500, help_text="The driver, as listed in the drivers.")
    weight = models.PositiveSmallIntegerField(default=3)
    option = models.ForeignKey(
        AuthOption, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The need's option by title when this decision has none of that title (an imported file).
    option_name = models.CharField(max_length=200, blank=True)

    class Meta(Ordered.Meta):
        verbose_name_plural = "criteria"
        constraints = [
            # The criterion is found by its driver's text; two would weigh one driver twice.
            models.UniqueConstraint(fields=["decision", "title"], name="one_criterion_per_driver"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=5), name="criterion_weight_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (×{self.weight})"

    def to_record(self, scenarios: list[Scenario]) -> rec.CriterionEntry:
        if self.option_id or self.option_name:
            name = self.option.title if self.option_id else self.option_name
            return rec.CriterionEntry(self.title, self.weight, [], name)
        given = {s.scenario_id: s.value for s in self.scores.all()}
        return rec.CriterionEntry(
            self.title,
            self.weight,
            [rec.ScoreEntry(s.title, given.get(s.pk, 0)) for s in scenarios],
        )


class Score(models.Model):
    """How well one scenario does on one criterion: -2 (strongly against) to +2."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="scores")
    value = models.SmallIntegerField(default=0)

    class Meta:
        constraints = [
            # One score per scenario and criterion; two would contradict each other.
            models.UniqueConstraint(fields=["criterion", "scenario"], name="one_score_per_cell"),
            models.CheckConstraint(
                condition=Q(value__gte=-2, value__lte=2), name="score_minus_2_to_plus_2"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.title} / {self.scenario}: {self.value:+d}"
