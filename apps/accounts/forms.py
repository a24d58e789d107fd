from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .models import LoginFailure


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
