"""Starter kits and templates: the decisions a team can start from, kept as editable data."""

from __future__ import annotations

import copy
import datetime
import functools
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from apps.decisions.building import save_record
from apps.decisions.models import Decision, Scenario
from apps.formats.record import Record
from apps.workspaces.models import Workspace

from . import questions

# libyaml's parser where PyYAML was built with it: the same safe constructor, ten times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=32)
def _parsed(body: str) -> Any:
    return yaml.load(body, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


def _load(body: str) -> Any:
    """A kit's YAML, parsed once per text: starting a decision reads its record, prompts and
    questions, each from the whole body. A copy, as callers may change what they get."""
    return copy.deepcopy(_parsed(body))


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
        data = _load(self.body or "") or {}
        if not isinstance(data, dict):
            raise ValueError("The kit's body must be a YAML mapping of the decision's fields.")
        data.setdefault("title", "")
        return Record.from_dict(data)

    def prompts(self) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """The kit's instructions: for the decision's own fields, and per scenario title.

        A kit writes them under `prompts:` (beside the decision's fields, and in a scenario), so
        they are shown as hints and placeholders and never become the decision's text."""
        data = _load(self.body or "") or {}
        if not isinstance(data, dict):
            return {}, {}
        own = _text_map(data.get("prompts"))
        per_scenario = {
            str(s.get("title", "")): _text_map(s.get("prompts"))
            for s in data.get("scenarios") or []
            if isinstance(s, dict) and s.get("prompts")
        }
        return own, per_scenario

    def questions(self) -> list[questions.Question]:
        """The questions the Decide step asks (`questions:` in the body; see questions.py)."""
        data = _load(self.body or "") or {}
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
                    self._keep_prompts(decision)
                    KitChoice.objects.create(decision=decision, kit=self)
                    return decision
            except IntegrityError:
                taken = Decision.objects.filter(workspace=workspace, number=number).exists()
                if not taken or attempt == NUMBER_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _keep_prompts(self, decision: Decision) -> None:
        own, per_scenario = self.prompts()
        rows = [Prompt(decision=decision, field=name, text=text) for name, text in own.items()]
        if per_scenario:
            for scenario in Scenario.objects.filter(decision=decision, title__in=per_scenario):
                rows += [
                    Prompt(decision=decision, field=f"scenario-{scenario.pk}-{name}", text=text)
                    for name, text in per_scenario[scenario.title].items()
                ]
        Prompt.objects.bulk_create(rows)


def _text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v).strip() for k, v in value.items() if str(v).strip()}


class Prompt(models.Model):
    """A kit's instruction for one field of a draft, keyed by the field's name in the editor
    (`context`, `scenario-12-description`): shown as its placeholder, never saved as its text."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="prompts")
    field = models.CharField(max_length=100)
    text = models.TextField()

    class Meta:
        constraints = [
            # One instruction per field; a second would have nowhere to show.
            models.UniqueConstraint(fields=["decision", "field"], name="one_prompt_per_field")
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.text[:40]}"


# How long a removed row can be brought back. The editor offers "Undo" for some seconds; the
# snapshot stays a while longer so a slow click, or a page reloaded without JavaScript, still works.
UNDO_FOR = datetime.timedelta(hours=1)


class Removal(models.Model):
    """A row removed in the editor, kept as a snapshot (the row, its children and its matrix
    cells, with their ids and positions) so "Undo" puts it back exactly. The row itself is deleted
    at once, so exports, the preview and completeness never see it; old snapshots are purged."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="removals")
    kind = models.CharField(max_length=20)
    label = models.CharField(max_length=300)
    snapshot = models.JSONField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The purge deletes by age.
            models.Index(fields=["at"], name="removal_at")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.label}"

    @property
    def expired(self) -> bool:
        return self.at < timezone.now() - UNDO_FOR

    @classmethod
    def purge(cls) -> int:
        return cls.objects.filter(at__lt=timezone.now() - UNDO_FOR).delete()[0]


class KitChoice(models.Model):
    """Which kit's questions a decision is decided with: the kit it started from, or one the
    team picked in the Decide step."""

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="kit_choice")
    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.decision} asks {self.kit}"
