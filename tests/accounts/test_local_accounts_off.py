"""Local accounts switched off (ADROIT_LOCAL_ACCOUNTS=0): only the provider signs people in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.models import Invitation

from ..factories import PASSWORD, make_team, make_user, make_workspace


@pytest.fixture
def passwords_off(db, settings):
    settings.OIDC_RP_CLIENT_ID = "adroit"
    settings.OIDC_PROVIDER_NAME = "Example ID"
    settings.ADROIT_LOCAL_ACCOUNTS = False


def test_the_sign_in_page_offers_only_the_provider(client, passwords_off):
    page = client.get(reverse("login"))

    assert page.status_code == 200
    assert "Sign in with Example ID" in page.text
    assert 'name="password"' not in page.text
    assert "Forgot your password?" not in page.text


def test_it_refuses_a_password_sign_in(client, passwords_off):
    make_user("ada")

    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})

    assert response.status_code == 403
    assert "Passwords are switched off here: sign in with Example ID." in response.text
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_password_sign_in_to_the_admin(client, passwords_off):
    make_user("root", is_staff=True, is_superuser=True)

    client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})

    assert "_auth_user_id" not in client.session


def test_it_sends_no_password_reset(client, passwords_off, mailoutbox):
    make_user("ada", email="ada@example.com")

    response = client.post(reverse("accounts:password_reset"), {"email": "ada@example.com"})

    assert response.status_code == 404
    assert mailoutbox == []


def test_an_invitation_asks_to_sign_in_with_the_provider(client, passwords_off):
    workspace = make_workspace("platform")
    adam = make_team(workspace, adam="admin")["adam"]
    _, token = Invitation.send(workspace, "new@example.com", "author", by=adam)
    url = reverse("accounts:invitation", args=[token])

    page = client.get(url)
    joined = client.post(
        url,
        {
            "full_name": "New Person",
            "username": "new",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert "Sign in with Example ID" in page.text
    assert 'name="password1"' not in page.text
    assert joined.status_code == 403
    assert not workspace.memberships.filter(user__username="new").exists()


def test_passwords_still_work_while_local_accounts_are_on(client, db):
    make_user("ada")

    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})

    assert response.status_code == 302
