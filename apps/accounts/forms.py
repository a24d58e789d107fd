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
    "Too many failed sign-ins for this account or from this address. "
    "Wait 15 minutes and try again, or reset your password."
)


class Throttled:
    """Refuses sign-in after repeated failures for a username or an address, for any of Django's
    authentication forms: the site's and the admin's count the same failures."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip().lower()
        ip = client_ip(self.request)
        if LoginFailure.objects.blocks(username, ip):
            raise ValidationError(THROTTLED, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                LoginFailure.objects.create(username=username, ip=ip)
            raise
        # A good password clears the account's count; the address keeps its own.
        LoginFailure.objects.filter(username=username).delete()
        return cleaned


class ThrottledAuthenticationForm(Throttled, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your username and password did not match. Please try again.",
    }


class ThrottledAdminAuthenticationForm(Throttled, AdminAuthenticationForm):
    """The admin's sign-in, which guessed passwords of staff accounts went around before."""
