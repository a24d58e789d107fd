"""API tokens stop working when their owner's password changes, on every path that changes it."""

import io

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.hashers import MD5PasswordHasher, make_password
from django.core.management import call_command

from apps.api.models import ApiToken

from ..factories import PASSWORD, make_user

NEW_PASSWORD = "a different horse entirely"


class QuickPBKDF2(MD5PasswordHasher):
    """A stronger-named hasher to upgrade to, as cheap as MD5 for the test."""

    algorithm = "md5-upgraded"


def works(client, token: str) -> bool:
    return (
        client.get("/api/decisions/", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )


@pytest.fixture
def ada(db):
    return make_user("ada", email="ada@example.com")


def test_it_revokes_tokens_when_the_password_is_set(client, ada):
    _, token = ApiToken.issue(ada, "ci")
    assert works(client, token)

    ada.set_password(NEW_PASSWORD)
    ada.save()

    assert not works(client, token)
    assert ApiToken.objects.get().revoked_at is not None


def test_it_revokes_tokens_on_a_password_reset(client, ada):
    _, token = ApiToken.issue(ada, "ci")

    form = SetPasswordForm(ada, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid()
    form.save()

    assert not works(client, token)


def test_it_revokes_tokens_on_a_change_through_the_admin(client, ada):
    _, token = ApiToken.issue(ada, "ci")
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.post(
        f"/admin/auth/user/{ada.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    client.logout()
    assert not works(client, token)


def test_it_revokes_tokens_on_changepassword(client, ada, monkeypatch):
    _, token = ApiToken.issue(ada, "ci")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)

    call_command("changepassword", "ada", stdout=io.StringIO())

    assert not works(client, token)


def test_it_keeps_tokens_on_other_changes_and_on_a_hash_upgrade(client, ada, settings):
    _, token = ApiToken.issue(ada, "ci")
    ada.first_name = "Ada"
    ada.save()
    assert works(client, token)

    # Signing in rehashes a password kept with an older hasher: the same password.
    settings.PASSWORD_HASHERS = [
        f"{__name__}.QuickPBKDF2",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    ada.password = make_password(PASSWORD, hasher="md5")
    ada.save(update_fields=["password"])
    assert client.login(username="ada", password=PASSWORD)
    ada.refresh_from_db()

    assert ada.password.startswith("md5-upgraded$")
    client.logout()
    assert works(client, token)
