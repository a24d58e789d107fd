from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify

from apps.workspaces.models import Membership, Role, Workspace

from .models import LoginFailure


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says, so it cannot be trusted here.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


class ThrottledAuthenticationForm(AuthenticationForm):
    """Sign-in that refuses attempts after repeated failures for a username or an address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your username and password did not match. Please try again.",
        "throttled": (
            "Too many failed sign-ins for this account or from this address. "
            "Wait 15 minutes and try again, or reset your password."
        ),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip().lower()
        ip = client_ip(self.request)
        if LoginFailure.objects.blocks(username, ip):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                LoginFailure.objects.create(username=username, ip=ip)
            raise
        # A good password clears the account's count; the address keeps its own.
        LoginFailure.objects.filter(username=username).delete()
        return cleaned


class ResetForm(PasswordResetForm):
    """Password reset, also for invited people who have not set a password yet."""

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
