from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from apps.workspaces.forms import ResetForm
from apps.workspaces.models import Role

from .backends import throttle_key
from .models import Invitation, LoginFailure


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says, so it cannot be trusted here.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


THROTTLED = (
    "Too many failed sign-ins for this account from this address. "
    "Wait 15 minutes and try again, or reset your password."
)


class Throttled:
    """Refuses sign-in after repeated failures for an account from one address, or from one
    address for many accounts, for any of Django's authentication forms: the site's and the
    admin's count the same failures.

    The attempt is counted before the password is checked (see `LoginFailure.objects.begin`), so
    guesses sent in parallel cannot all slip through between a check and a write.
    """

    def clean(self):
        typed = (self.cleaned_data.get("username") or "").strip()
        if not typed or not self.cleaned_data.get("password"):
            return super().clean()  # nothing is checked, so nothing to count
        # One count per account, whether it is named by username or by email address.
        username = throttle_key(typed)
        ip = client_ip(self.request)
        attempt = LoginFailure.objects.begin(username, ip)
        if attempt is None:
            raise ValidationError(THROTTLED, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code != "invalid_login":
                # The password was right (an inactive account, say): not a guess.
                LoginFailure.objects.forget(username, ip)
            raise
        LoginFailure.objects.forget(username, ip)
        return cleaned


class ThrottledAuthenticationForm(Throttled, AuthenticationForm):
    """The site's sign-in: a username or an email address, and the password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        # The same words whatever was wrong, so the form tells nobody which accounts exist.
        "invalid_login": (
            "Your username or email address and password did not match. Please try again. "
            "If several accounts share your email address, sign in with your username."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.label = "Username or email address"
        field.max_length = 254  # an email address may be longer than a username
        field.validators.append(MaxLengthValidator(254))
        field.widget.attrs.update(maxlength=254, autocomplete="username", autocapitalize="none")


class ThrottledAdminAuthenticationForm(Throttled, AdminAuthenticationForm):
    """The admin's sign-in, which guessed passwords of staff accounts went around before."""


# Reset requests are counted as attempts of this name, which no username can take (spaces and
# parentheses are not allowed in one), so each address may ask for LOGIN_FAILURE_LIMIT links in
# the throttle's window and its requests count towards the address's limit too.
RESET_ATTEMPT = "(password reset)"
TOO_MANY_RESETS = (
    "Too many password reset requests from this address: wait 15 minutes and try again."
)


class ThrottledResetForm(ResetForm):
    """Password reset with the sign-in throttle's count, so the form cannot be used to send an
    inbox mail after mail."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            if LoginFailure.objects.begin(RESET_ATTEMPT, client_ip(self.request)) is None:
                raise ValidationError(TOO_MANY_RESETS, code="throttled")
        return cleaned


class InviteForm(forms.Form):
    """An exact email address only: a username, or a partial address, must not find anyone."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="They are emailed a link to join; they become a member once they accept.",
    )
    name = forms.CharField(
        label="Their name",
        max_length=150,
        required=False,
        help_text="Optional: it fills in the sign-up form, where they can correct it.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_name(self) -> str:
        return clean_person_name(self.cleaned_data["name"], required=False)


def clean_person_name(value: str, required: bool = True) -> str:
    """One line of text, spaces collapsed: a name shown in pages, emails and exports."""
    name = " ".join((value or "").split())
    if any(ord(c) < 32 or ord(c) == 127 for c in value or ""):
        raise ValidationError("A name is one line of text.", code="invalid")
    if required and not name:
        raise ValidationError("Say what your colleagues call you.", code="required")
    return name


def split_name(name: str) -> tuple[str, str]:
    """'Dana Demo' → ('Dana', 'Demo'); 'Ana María de la Cruz' → ('Ana', 'María de la Cruz');
    a single name is a first name. Joined again with a space (get_full_name), it reads as
    typed, whatever the split."""
    first, _, last = name.partition(" ")
    return first, last


class JoinForm(UserCreationForm):
    """A new account made through an invitation, with the invited address as its email: the
    link in that inbox is the proof of it. It asks for a name, which pages show instead of the
    username."""

    full_name = forms.CharField(
        label="Your full name",
        max_length=150,
        help_text="How colleagues see you on decisions, reviews and exports.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["full_name", "username", "password1", "password2"]

    def __init__(self, *args, invitation: Invitation, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("full_name", invitation.name)
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields[
            "username"
        ].help_text = (
            "For signing in (your email address works too): letters, digits and @ . + - _ only."
        )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username"]

    def clean_full_name(self) -> str:
        name = clean_person_name(self.cleaned_data["full_name"])
        first, last = split_name(name)
        if len(first) > 150 or len(last) > 150:
            raise ValidationError("That name is too long.", code="max_length")
        return name

    def clean(self):
        cleaned = super().clean()
        users = get_user_model().objects.filter(email__iexact=self.invitation.email)
        if users.exists():
            # Only the holder of the link learns this, and it is about their own address.
            raise ValidationError(
                "An account already uses this email address: sign in to accept the invitation."
            )
        return cleaned

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        user.email = self.invitation.email
        user.first_name, user.last_name = split_name(self.cleaned_data["full_name"])
        if commit:
            user.save()
        return user


class NameForm(forms.Form):
    """A person's own name, as pages show it: for accounts made before sign-up asked for it."""

    full_name = forms.CharField(
        label="Your full name",
        max_length=150,
        help_text="How colleagues see you on decisions, reviews and exports.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_full_name(self) -> str:
        name = clean_person_name(self.cleaned_data["full_name"])
        first, last = split_name(name)
        if len(first) > 150 or len(last) > 150:
            raise ValidationError("That name is too long.", code="max_length")
        return name

    def save(self, user) -> None:
        user.first_name, user.last_name = split_name(self.cleaned_data["full_name"])
        user.save(update_fields=["first_name", "last_name"])


class GroupRoleForm(forms.Form):
    """A provider group and the role its people get in this workspace."""

    group = forms.CharField(
        label="Group",
        max_length=200,
        help_text="Exactly as the provider sends it in the groups claim.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_group(self) -> str:
        group = self.cleaned_data["group"].strip()
        if not group:
            raise ValidationError("Name the group.", code="required")
        return group
