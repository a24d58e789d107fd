from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError

from apps.workspaces.forms import ResetForm
from apps.workspaces.models import Role

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
        username = (self.cleaned_data.get("username") or "").strip().lower()
        if not username or not self.cleaned_data.get("password"):
            return super().clean()  # nothing is checked, so nothing to count
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
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your username and password did not match. Please try again.",
    }


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
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()


class JoinForm(UserCreationForm):
    """A new account made through an invitation, with the invited address as its email: the
    link in that inbox is the proof of it."""

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username"]

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
        if commit:
            user.save()
        return user
