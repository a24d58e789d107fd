from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from apps.core.markdown import is_own_host

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


HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"
)


class WorkspaceSettingsForm(forms.ModelForm):
    """What a workspace's admins change: its name, description and the hosts images load from."""

    class Meta:
        model = Workspace
        fields = ["name", "description", "image_hosts"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "image_hosts": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, own_host: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.own_host = own_host.lower()

    def clean_image_hosts(self) -> str:
        hosts = list(dict.fromkeys(self.cleaned_data["image_hosts"].lower().split()))
        for host in hosts:
            if not HOST_NAME.match(host):
                raise ValidationError(
                    f"“{host}” is not a host name: give names only, e.g. images.example.com, "
                    "one per line."
                )
            # Images from this site could be its own pages and downloads, fetched in the
            # reader's name: those never load as images.
            if host == self.own_host or is_own_host(host):
                raise ValidationError(f"“{host}” is this site: its pages never load as images.")
        return "\n".join(hosts)
