from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from .models import Role, Workspace


class ResetForm(PasswordResetForm):
    """Password reset, also for accounts that have no usable password yet (made in the shell
    or the admin without one)."""

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


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
