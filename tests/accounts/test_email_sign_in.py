"""Signing in with a username or an email address, under the same throttle."""

import pytest
from django.urls import reverse

from apps.accounts.models import LOGIN_FAILURE_LIMIT, LoginFailure

from ..factories import PASSWORD, make_user

THROTTLED = "Too many failed sign-ins"


def sign_in(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def dana(db):
    return make_user("demo", email="Dana.Demo@Example.com", first_name="Dana", last_name="Demo")


def test_it_signs_in_with_the_username(client, dana):
    assert sign_in(client, "demo").status_code == 302
    assert signed_in_as(client) == str(dana.pk)


@pytest.mark.parametrize(
    "typed", ["Dana.Demo@Example.com", "dana.demo@example.com", " DANA.DEMO@EXAMPLE.COM "]
)
def test_it_signs_in_with_the_email_address_in_any_case(client, dana, typed):
    assert sign_in(client, typed).status_code == 302
    assert signed_in_as(client) == str(dana.pk)


def test_it_refuses_a_wrong_password_given_with_the_email(client, dana):
    response = sign_in(client, "dana.demo@example.com", "wrong")

    assert response.status_code == 200 and "did not match" in response.content.decode()
    assert signed_in_as(client) is None


def test_it_refuses_an_address_that_several_accounts_share(client, dana):
    make_user("dana2", email="dana.demo@example.com")

    response = sign_in(client, "dana.demo@example.com")

    # Neither account is picked: the password opens no account it was not typed for.
    assert response.status_code == 200 and signed_in_as(client) is None
    page = response.content.decode()
    assert "sign in with your username" in page
    # Each account still signs in by its username.
    assert sign_in(client, "dana2").status_code == 302


def test_it_says_the_same_for_a_shared_address_and_an_unknown_one(client, dana):
    make_user("dana2", email="dana.demo@example.com")

    shared = sign_in(client, "dana.demo@example.com", "wrong").content.decode()
    unknown = sign_in(client, "nobody@example.com", "wrong").content.decode()

    def error(page):
        return page.split('role="alert"', 1)[1].split("</p>", 1)[0]

    assert error(shared) == error(unknown)


def test_it_counts_guesses_by_email_and_by_username_against_one_account(client, dana):
    # Alternating the two names must not double the guesses an address gets at the account.
    for n in range(LOGIN_FAILURE_LIMIT):
        sign_in(client, "demo" if n % 2 else "DANA.demo@example.com", "wrong")

    refused = sign_in(client, "dana.demo@example.com")

    assert THROTTLED in refused.content.decode() and signed_in_as(client) is None
    assert set(LoginFailure.objects.values_list("username", flat=True)) == {"demo"}
    # From another address, the owner still gets in.
    assert sign_in(client, "dana.demo@example.com", ip="10.9.9.9").status_code == 302


def test_it_throttles_an_unknown_address_like_an_unknown_username(client, db):
    for _ in range(LOGIN_FAILURE_LIMIT):
        sign_in(client, "nobody@example.com", "wrong")

    assert THROTTLED in sign_in(client, "nobody@example.com", "wrong").content.decode()


def test_it_refuses_a_huge_username_without_looking_it_up(client, dana):
    response = sign_in(client, "d" * 100_000 + "@example.com")

    assert response.status_code == 200 and signed_in_as(client) is None
    assert not LoginFailure.objects.exists()


def test_it_labels_the_field_for_both(client, db):
    page = client.get(reverse("login")).content.decode()

    assert "Username or email address" in page and 'autocomplete="username"' in page
