"""Signing in with a username or an email address."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


def find_account(identifier: str):
    """The one account `identifier` names: its username exactly, else its email address in any
    case. None when nobody has it, and None when several accounts share the address: guessing
    which of them is meant would let one person's password open another's account."""
    users = get_user_model()._default_manager
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    try:
        return users.get_by_natural_key(identifier)
    except get_user_model().DoesNotExist:
        pass
    if "@" not in identifier:
        return None
    found = list(users.filter(email__iexact=identifier)[:2])
    return found[0] if len(found) == 1 else None


def throttle_key(identifier: str) -> str:
    """What the sign-in throttle counts attempts under: the account's username when the
    identifier names one, so guesses by username and by email address count together."""
    account = find_account(identifier)
    name = account.get_username() if account is not None else (identifier or "").strip()
    return name.lower()


class UsernameOrEmailBackend(ModelBackend):
    """Django's ModelBackend, finding the account by username or by email address."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if not settings.ADROIT_LOCAL_ACCOUNTS:
            # Passwords are off (single sign-on only): the admin's form and any other form too.
            return None
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Hash anyway, so the time taken does not tell whether the account exists.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
