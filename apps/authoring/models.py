"""Starter kits and templates: the decisions a team can start from, kept as editable data."""

from __future__ import annotations

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from apps.decisions.building import save_record
from apps.decisions.models import Decision
from apps.formats.record import Record
from apps.workspaces.models import Workspace

from . import questions

# How many times a new decision retries its number when someone else took it at the same moment.
NUMBER_ATTEMPTS = 5


class KitKind(models.TextChoices):
    TEMPLATE = "template", "Template"
    KIT = "kit", "Starter kit"


class Kit(models.Model):
    """A decision to start from: a template (blank, MADR 4, Nygard) or a kit with suggestions."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=KitKind.choices, default=KitKind.KIT)
    summary = models.TextField(blank=True, help_text="What the kit is for, shown when starting.")
    body = models.TextField(
        blank=True,
        help_text="The decision as YAML, in the shape of fixtures/example.yaml's decisions.",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=KitKind.values), name="kit_kind_is_known"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def record(self) -> Record:
        data = yaml.safe_load(self.body or "") or {}
        if not isinstance(data, dict):
            raise ValueError("The kit's body must be a YAML mapping of the decision's fields.")
        data.setdefault("title", "")
        return Record.from_dict(data)

    def questions(self) -> list[questions.Question]:
        """The questions the Decide step asks (`questions:` in the body; see questions.py)."""
        data = yaml.safe_load(self.body or "") or {}
        return questions.parse(data.get("questions") if isinstance(data, dict) else None)

    def clean(self) -> None:
        try:
            record = self.record()
        except (yaml.YAMLError, ValueError, TypeError) as error:
            raise ValidationError({"body": f"This is not a decision record: {error}"}) from error
        try:
            unknown = questions.unknown_names(self.questions(), record)
        except ValueError as error:
            raise ValidationError({"body": f"The questions are not valid: {error}"}) from error
        if unknown:
            raise ValidationError({"body": "The questions name what the kit lacks: " + unknown[0]})
        titles = [s.title for s in record.scenarios]
        if len(set(titles)) != len(titles):
            raise ValidationError({"body": "Two scenarios have the same title."})

    def start(self, workspace: Workspace, owner=None, title: str = "") -> Decision:
        """A new draft in the workspace from this kit, with the workspace's next number."""
        record = self.record()
        record.title = title.strip() or record.title or "Untitled decision"
        record.status = "draft"
        record.number = None
        record.relations = []
        for attempt in range(NUMBER_ATTEMPTS):
            number = Decision.next_number(workspace)
            try:
                # A savepoint, so a lost race leaves the surrounding transaction usable.
                with transaction.atomic():
                    decision = save_record(workspace, record, owner=owner, number=number)
                    KitChoice.objects.create(decision=decision, kit=self)
                    return decision
            except IntegrityError:
                taken = Decision.objects.filter(workspace=workspace, number=number).exists()
                if not taken or attempt == NUMBER_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")


class KitChoice(models.Model):
    """Which kit's questions a decision is decided with: the kit it started from, or one the
    team picked in the Decide step."""

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="kit_choice")
    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.decision} asks {self.kit}"
