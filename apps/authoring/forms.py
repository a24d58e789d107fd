from __future__ import annotations

import functools
import re

from django import forms

from apps.decisions.models import (
    AuthOption,
    Consequence,
    Consideration,
    Decision,
    ParticipantRole,
    Reference,
    Relation,
    Scenario,
    ScenarioPoint,
    Support,
)
from apps.workspaces.models import Membership

from .models import Kit


class StartForm(forms.Form):
    workspace = forms.ChoiceField()
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the kit's title."
    )
    kit = forms.ModelChoiceField(
        Kit.objects.all(), empty_label=None, widget=forms.RadioSelect, label="Start from"
    )

    def __init__(self, *args, memberships: list[Membership], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workspace"].choices = [
            (m.workspace.slug, m.workspace.name) for m in memberships
        ]


class DecisionPartForm(forms.ModelForm):
    """A group of the decision's own text fields, saved together by one form on one step."""

    # The server checks and shows errors next to the field, the same with or without JavaScript.
    use_required_attribute = False

    class Meta:
        model = Decision
        fields: list[str] = []


class ProblemForm(DecisionPartForm):
    class Meta(DecisionPartForm.Meta):
        fields = ["title", "context", "overview", "drivers"]
        widgets = {
            "context": forms.Textarea(attrs={"rows": 5}),
            "overview": forms.Textarea(attrs={"rows": 4}),
            "drivers": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "title": {"required": "Give the decision a title, such as “Decide on …”."}
        }


class IntroForm(DecisionPartForm):
    class Meta(DecisionPartForm.Meta):
        fields = ["options_intro"]
        widgets = {"options_intro": forms.Textarea(attrs={"rows": 2})}


class OutcomeForm(DecisionPartForm):
    class Meta(DecisionPartForm.Meta):
        fields = ["chosen", "rationale", "confirmation"]
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "confirmation": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, scenarios: list[Scenario], **kwargs):
        super().__init__(*args, **kwargs)
        self.scenarios = scenarios
        chosen = self.fields["chosen"]
        # The decision's own scenarios only; the id set keeps validation free of extra queries.
        chosen.queryset = Scenario.objects.filter(pk__in=[s.pk for s in scenarios])
        chosen.choices = [("", "— not chosen yet —")] + [(s.pk, s.title) for s in scenarios]


PEOPLE_HELP = (
    "One per line (or separated by commas): a member's name, or a group such as “Security team”."
)
ROLES = {
    "decision_makers": ParticipantRole.DECISION_MAKER,
    "consulted": ParticipantRole.CONSULTED,
    "informed": ParticipantRole.INFORMED,
}
MAX_NAMES = 50
MAX_TAGS = 20


def _names(text: str, most: int, longest: int, what: str) -> list[str]:
    names = list(dict.fromkeys(n.strip() for n in re.split(r"[\n,]", text or "") if n.strip()))
    if len(names) > most:
        raise forms.ValidationError(f"At most {most} {what}, please.")
    too_long = [n for n in names if len(n) > longest]
    if too_long:
        raise forms.ValidationError(f"“{too_long[0][:40]}…” is longer than {longest} characters.")
    return names


class PeopleForm(forms.Form):
    """Who decides, who is asked and who is told, the owner, tags and the decision date: MADR's
    front matter, edited on the problem step and kept in every export."""

    use_required_attribute = False

    decision_makers = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=PEOPLE_HELP
    )
    consulted = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    informed = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(required=False)
    tags = forms.CharField(
        required=False, max_length=1000, help_text="Separated by commas, such as “api, security”."
    )
    decided_on = forms.DateField(
        required=False,
        label="Decision date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Set when the decision is accepted; set it yourself for one decided elsewhere.",
    )

    def __init__(self, data=None, *, decision: Decision, **kwargs):
        self.decision = decision
        members = [
            m.user
            for m in Membership.objects.filter(workspace_id=decision.workspace_id)
            .select_related("user")
            .order_by("user__first_name", "user__last_name", "user__username")
        ]
        self.members = members
        initial = {
            name: "\n".join(decision.participant_names(role)) for name, role in ROLES.items()
        }
        initial.update(
            owner=str(decision.owner_id or ""),
            tags=", ".join(sorted(t.name for t in decision.tags.all())),
            decided_on=decision.decided_on,
        )
        super().__init__(data, initial=initial, **kwargs)
        choices = [("", "— nobody —")] + [(str(u.pk), _person(u)) for u in members]
        if decision.owner_id and str(decision.owner_id) not in dict(choices):
            # An owner who has left the workspace stays shown until someone picks another.
            choices.append((str(decision.owner_id), decision.owner_name))
        self.fields["owner"].choices = choices

    def current_values(self) -> dict:
        """The stored values, spelled as `cleaned_data` spells them (for merging)."""
        values = {name: self.decision.participant_names(role) for name, role in ROLES.items()}
        values.update(
            owner=str(self.decision.owner_id or ""),
            tags=sorted(t.name for t in self.decision.tags.all()),
            decided_on=self.decision.decided_on,
        )
        return values

    def clean_decision_makers(self) -> list[str]:
        return _names(self.cleaned_data["decision_makers"], MAX_NAMES, 200, "names")

    def clean_consulted(self) -> list[str]:
        return _names(self.cleaned_data["consulted"], MAX_NAMES, 200, "names")

    def clean_informed(self) -> list[str]:
        return _names(self.cleaned_data["informed"], MAX_NAMES, 200, "names")

    def clean_tags(self) -> list[str]:
        return sorted(_names(self.cleaned_data["tags"], MAX_TAGS, 60, "tags"))

    def member_for(self, name: str):
        """The member a typed name means (full name or username, any case), or None for a group."""
        wanted = name.casefold()
        for user in self.members:
            if wanted in {user.get_full_name().casefold(), user.username.casefold()}:
                return user
        return None


def _person(user) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


DECISION_PARTS: dict[str, type[DecisionPartForm]] = {
    "problem": ProblemForm,
    "intro": IntroForm,
    "outcome": OutcomeForm,
}


class RowForm(forms.ModelForm):
    use_required_attribute = False

    def validate_unique(self) -> None:
        """The model's constraints hold in the database on every save; the form's own checks
        (choices, UniqueTitleMixin, RelationForm.clean) already say what is wrong beside the
        field, so an autosave spends no query asking the database first."""

    def _post_clean(self) -> None:
        full_clean = self.instance.full_clean
        self.instance.full_clean = functools.partial(full_clean, validate_constraints=False)
        try:
            super()._post_clean()
        finally:
            del self.instance.full_clean


class UniqueTitleMixin:
    """Titles name rows in the matrix and the outcome, so two alike under one parent are refused."""

    parent_field = "decision"

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        parent = getattr(self.instance, f"{self.parent_field}_id")
        clash = (
            type(self.instance)
            .objects.filter(**{f"{self.parent_field}_id": parent, "title__iexact": title})
            .exclude(pk=self.instance.pk)
        )
        if title and title != self.instance.title and clash.exists():
            raise forms.ValidationError(f"There is already one called “{title}”.")
        return title


class ScenarioForm(UniqueTitleMixin, RowForm):
    class Meta:
        model = Scenario
        fields = ["title", "description", "choose_when"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "choose_when": forms.Textarea(attrs={"rows": 2}),
        }


class PointForm(RowForm):
    class Meta:
        model = ScenarioPoint
        fields = ["kind", "text"]
        # One line that grows with its text (see authoring.css), never cut off.
        widgets = {"text": forms.Textarea(attrs={"rows": 1})}
        labels = {"text": "because"}


class ConsiderationForm(UniqueTitleMixin, RowForm):
    class Meta:
        model = Consideration
        fields = ["title", "body", "is_open"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        labels = {"is_open": "Still open"}


class OptionForm(UniqueTitleMixin, RowForm):
    parent_field = "consideration"

    class Meta:
        model = AuthOption
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 1})}


class CellForm(RowForm):
    class Meta:
        model = Support
        fields = ["level", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 1, "maxlength": 500})}


class ConsequenceForm(RowForm):
    class Meta:
        model = Consequence
        fields = ["kind", "text"]
        # One line that grows with its text (see authoring.css), never cut off.
        widgets = {"text": forms.Textarea(attrs={"rows": 1})}
        labels = {"text": "because"}


class ReferenceForm(RowForm):
    url = forms.URLField(label="URL", max_length=1000, assume_scheme="https")

    class Meta:
        model = Reference
        fields = ["title", "url"]


class RelationForm(RowForm):
    class Meta:
        model = Relation
        fields = ["kind", "target"]
        labels = {"target": "Decision"}

    def __init__(self, *args, others: list[Decision], **kwargs):
        super().__init__(*args, **kwargs)
        self.others = others
        target = self.fields["target"]
        target.queryset = Decision.objects.filter(pk__in=[d.pk for d in others])
        target.choices = [(d.pk, str(d)) for d in others]

    def _post_clean(self) -> None:
        # Relation.clean reads the target: without a valid one the form is already refused.
        if "target" in self.cleaned_data:
            super()._post_clean()

    def clean(self):
        data = super().clean()
        # The same (kind, target) twice says nothing more; an edit may keep its own pair.
        exists = Relation.objects.filter(
            source_id=self.instance.source_id, target=data.get("target"), kind=data.get("kind")
        ).exclude(pk=self.instance.pk)
        if data.get("target") and exists.exists():
            # Next to the decision chosen, the field to change.
            self.add_error("target", "This relation is already there.")
        return data
