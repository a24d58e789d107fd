from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify

from .models import Membership, Role, Workspace


class ResetForm(PasswordResetForm):
    """Password reset, also for invited people who have not set a password yet.

    Here rather than in accounts because inviting a member sends the same link to set a password.
    """

    def get_users(self, email: str):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.email)


class WorkspaceForm(forms.ModelForm):
    slug = forms.SlugField(
        required=False,
        help_text="Used in links, e.g. /w/platform/. Leave empty to derive it from the name.",
    )

    class Meta:
        model = Workspace
        fields = ["name", "slug", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("name", ""))[:50]
        if not slug:
            raise ValidationError("Give the workspace a short name for its links.")
        if Workspace.objects.filter(slug=slug).exists():
            raise ValidationError(f"The link name “{slug}” is taken: choose another.")
        return slug


class AddMemberForm(forms.Form):
    who = forms.CharField(
        label="Username or email",
        max_length=254,
        help_text="Someone who already has an account, or an email address to invite.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.user = None  # the existing account, when there is one
        self.invite_email = ""  # else the address to invite

    def clean_who(self) -> str:
        who = self.cleaned_data["who"].strip()
        users = get_user_model().objects.filter(is_active=True)
        matches = list(users.filter(username__iexact=who)[:2]) or list(
            users.filter(email__iexact=who)[:2]
        )
        if len(matches) > 1:
            raise ValidationError("Several accounts use that email: enter the username instead.")
        if matches:
            self.user = matches[0]
            if Membership.objects.filter(workspace=self.workspace, user=self.user).exists():
                raise ValidationError(f"{self.user.get_username()} is already a member.")
            return who
        try:
            validate_email(who)
        except ValidationError:
            raise ValidationError(
                "No account has that username or email. To invite someone new, enter their "
                "email address."
            ) from None
        self.invite_email = who
        return who


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
