from __future__ import annotations

from django import forms

from apps.decisions.models import (
    AuthOption,
    Consequence,
    Consideration,
    Decision,
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
        chosen = self.fields["chosen"]
        # The decision's own scenarios only; the id set keeps validation free of extra queries.
        chosen.queryset = Scenario.objects.filter(pk__in=[s.pk for s in scenarios])
        chosen.choices = [("", "— not chosen yet —")] + [(s.pk, s.title) for s in scenarios]


DECISION_PARTS: dict[str, type[DecisionPartForm]] = {
    "problem": ProblemForm,
    "intro": IntroForm,
    "outcome": OutcomeForm,
}


class RowForm(forms.ModelForm):
    use_required_attribute = False


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
        if title and clash.exists():
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
        widgets = {"text": forms.TextInput()}
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
        widgets = {"description": forms.TextInput()}


class CellForm(RowForm):
    class Meta:
        model = Support
        fields = ["level", "note"]


class ConsequenceForm(RowForm):
    class Meta:
        model = Consequence
        fields = ["kind", "text"]
        widgets = {"text": forms.TextInput()}
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
