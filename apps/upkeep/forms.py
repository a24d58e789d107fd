from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from apps.decisions.models import ConfirmationState, Decision
from apps.workspaces.models import Membership, Workspace

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _after_today(day: datetime.date | None) -> datetime.date | None:
    if day is not None and day <= timezone.localdate():
        raise forms.ValidationError("Choose a day after today.")
    return day


class StillValidForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you checked, for the audit log.",
    )
    until = forms.DateField(
        required=False,
        label="Next review",
        widget=DATE,
        help_text="Leave empty for the workspace's review period from today.",
    )

    def clean_until(self):
        return _after_today(self.cleaned_data.get("until"))


class StateForm(forms.Form):
    state = forms.ChoiceField(choices=ConfirmationState.choices)
    note = forms.CharField(required=False, max_length=1000)

    def clean(self):
        data = super().clean()
        if data.get("state") == ConfirmationState.FAILED and not data.get("note", "").strip():
            self.add_error("note", "Say what failed, so the decision makers know.")
        return data


class ItemForm(forms.Form):
    """A confirmation item as its authors write it on a draft."""

    text = forms.CharField(max_length=500, label="Check")
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    due = forms.DateField(required=False, widget=DATE)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, data=None, *, decision: Decision, **kwargs):
        super().__init__(data, **kwargs)
        self.members = {
            m.user_id: m.user
            for m in Membership.objects.filter(workspace_id=decision.workspace_id)
            .select_related("user")
            .order_by("user__first_name", "user__last_name", "user__username")
        }
        self.fields["owner"].choices = [("", "— nobody yet —")] + [
            (pk, user.get_full_name() or user.username) for pk, user in self.members.items()
        ]
        self.fields["revision"].initial = decision.revision

    def clean_text(self) -> str:
        text = " ".join(self.cleaned_data["text"].split())
        if not text:
            raise forms.ValidationError("Say what is checked.")
        return text

    @property
    def owner_user(self):
        return self.members.get(self.cleaned_data.get("owner"))


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["review_months"]
