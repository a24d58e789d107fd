"""Single sign-on against a real OpenID Connect provider (tests/oidc): Django's test client is
Adroit's side, requests the browser's side at the provider."""

from __future__ import annotations

from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.accounts.models import GroupRole, ProviderIdentity
from apps.accounts.sso import group_names
from apps.workspaces.models import Membership

from ..factories import make_user, make_workspace
from ..oidc.fixtures import Provider, accounts, point_adroit_at, start_provider, through_provider


@pytest.fixture(scope="module")
def provider():
    started = start_provider(["http://testserver"])
    yield started
    started.stop()


@pytest.fixture
def sso(db, settings, provider: Provider) -> Provider:
    provider.set_accounts(accounts())
    point_adroit_at(settings, provider)
    return provider


def callback_of(client, query: str = "") -> str:
    """Start at Adroit's "Sign in with" link, sign in at the provider, and return the path and
    query the provider sends the browser back to."""
    start = client.get(reverse("accounts:oidc-start") + query)
    assert start.status_code == 302
    back = urlsplit(through_provider(start["Location"]))
    return f"{back.path}?{back.query}"


def signed_in_as(client):
    return client.get(reverse("accounts:account")).wsgi_request.user


def test_it_signs_a_new_person_in_with_their_name_address_and_group_role(client, sso):
    platform = make_workspace("platform")
    GroupRole.objects.create(group="architects", workspace=platform, role="author")

    response = client.get(callback_of(client))

    assert response.status_code == 302
    # Into the one workspace the groups gave: its decision log.
    assert response["Location"] == reverse("decisions:log") + "?workspace=platform"
    ada = get_user_model().objects.get(email="ada.lovelace@example.com")
    assert (ada.first_name, ada.last_name, ada.username) == ("Ada", "Lovelace", "ada.lovelace")
    assert not ada.has_usable_password()
    assert ProviderIdentity.objects.get(user=ada).subject == "ada-0001"
    assert Membership.objects.get(user=ada, workspace=platform).role == "author"
    assert signed_in_as(client) == ada


def test_it_finds_the_person_by_subject_when_the_provider_changes_their_address(client, sso):
    client.get(callback_of(client))
    client.post(reverse("logout"))
    sso.set_accounts(
        accounts(email="ada@example.org", name="Ada King", given_name="", family_name="")
    )

    client.get(callback_of(client))

    ada = get_user_model().objects.get()
    assert (ada.email, ada.get_full_name()) == ("ada@example.org", "Ada King")
    assert signed_in_as(client) == ada


def test_it_links_an_existing_account_by_verified_address(client, sso):
    ada = make_user("ada", email="Ada.Lovelace@example.com")

    client.get(callback_of(client))

    assert signed_in_as(client) == ada
    assert get_user_model().objects.count() == 1
    assert ProviderIdentity.objects.get().user == ada


def test_it_returns_to_the_page_the_sign_in_started_from(client, sso):
    response = client.get(callback_of(client, "?next=/w/platform/members/"))

    assert response["Location"] == "/w/platform/members/"


def test_it_never_sends_the_person_on_to_another_site(client, sso):
    response = client.get(callback_of(client, "?next=https://evil.example.com/"))

    assert response["Location"] == reverse("decisions:log")


def test_it_refuses_an_account_switched_off_here(client, sso):
    make_user("ada", email="ada.lovelace@example.com", is_active=False)

    response = client.get(callback_of(client))

    assert response.status_code == 403
    assert "switched off" in response.text
    assert not signed_in_as(client).is_authenticated
    assert not ProviderIdentity.objects.exists()


def test_it_says_why_when_the_provider_did_not_sign_the_person_in(client, sso):
    start = client.get(reverse("accounts:oidc-start"))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = client.get(
        reverse("accounts:oidc-callback"),
        {"error": "access_denied", "error_description": "<b>End-User</b> said no", "state": state},
    )

    assert response.status_code == 403
    assert "The provider did not sign you in: &lt;b&gt;End-User&lt;/b&gt; said no" in response.text
    assert not signed_in_as(client).is_authenticated


def test_it_never_hands_an_account_linked_elsewhere_to_a_new_subject(client, sso):
    # The address now belongs to someone else at the provider, with a subject of their own.
    ada = make_user("ada", email="ada.lovelace@example.com")
    ProviderIdentity.objects.create(user=ada, issuer=sso.issuer, subject="ada-0000")

    response = client.get(callback_of(client))

    assert response.status_code == 403
    assert "signs in with another account at the provider" in response.text
    assert not signed_in_as(client).is_authenticated
    assert ProviderIdentity.objects.get().subject == "ada-0000"


def test_it_refuses_an_unverified_address_that_an_account_here_uses(client, sso):
    make_user("ada", email="ada.lovelace@example.com")
    sso.set_accounts(accounts(email_verified=False))

    response = client.get(callback_of(client))

    assert response.status_code == 403
    assert "has not verified" in response.text
    assert not signed_in_as(client).is_authenticated


def test_it_refuses_a_token_from_another_issuer(client, sso, settings):
    # Adroit trusts another provider; this one's tokens say who it is, and that is not it.
    settings.OIDC_OP_ISSUER = "https://login.example.com"

    response = client.get(callback_of(client))

    assert response.status_code == 403
    assert "Sign-in refused" in response.text
    assert f"came from {sso.issuer}, not from https://login.example.com" in response.text
    assert not signed_in_as(client).is_authenticated
    assert not get_user_model().objects.exists()


@pytest.fixture(scope="module")
def provider_in_the_past():
    # Its clock is 20 minutes behind, and its ID tokens live 10: they reach Adroit expired.
    started = start_provider(["http://testserver"], skew_seconds=-1200)
    yield started
    started.stop()


def test_it_refuses_an_expired_token(client, db, settings, provider_in_the_past):
    point_adroit_at(settings, provider_in_the_past)

    response = client.get(callback_of(client))

    assert response.status_code == 403
    assert "had expired" in response.text
    assert not signed_in_as(client).is_authenticated
    assert not get_user_model().objects.exists()


def test_it_refuses_a_tampered_state(client, sso):
    callback = callback_of(client)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    # A different last character: a state that already ends in "x" would come back untouched.
    tampered = state[:-1] + ("y" if state.endswith("x") else "x")

    response = client.get(callback.replace(f"state={state}", f"state={tampered}"))

    assert response.status_code == 400
    assert "does not belong to one started in this browser" in response.text
    assert "Sign-in refused" in response.text
    assert not signed_in_as(client).is_authenticated
    assert not get_user_model().objects.exists()


def test_it_refuses_a_callback_started_in_another_browser(client, sso):
    callback = callback_of(client)
    other = type(client)()

    response = other.get(callback)

    assert response.status_code == 400
    assert not signed_in_as(other).is_authenticated


def test_it_refuses_the_same_callback_twice(client, sso):
    callback = callback_of(client)
    client.get(callback)
    client.post(reverse("logout"))

    response = client.get(callback)

    assert response.status_code == 400
    assert not signed_in_as(client).is_authenticated


def test_it_signs_out_at_the_provider_too(client, sso):
    client.get(callback_of(client))

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    sent_to = urlsplit(response["Location"])
    assert f"{sent_to.scheme}://{sent_to.netloc}{sent_to.path}" == f"{sso.issuer}/session/end"
    query = parse_qs(sent_to.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/login/"]
    assert query["id_token_hint"]
    assert not signed_in_as(client).is_authenticated


def test_a_password_account_signs_out_to_the_sign_in_page(client, sso):
    client.force_login(make_user("ada"))

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")


def test_it_offers_the_provider_on_the_sign_in_page(client, sso):
    page = client.get(reverse("login") + "?next=/w/platform/members/")

    assert "Sign in with Test ID" in page.text
    assert f"{reverse('accounts:oidc-start')}?next=/w/platform/members/" in page.text
    assert 'name="password"' in page.text


def test_the_provider_pages_are_not_there_without_single_sign_on(client, db):
    assert client.get(reverse("accounts:oidc-start")).status_code == 404
    assert client.get(reverse("accounts:oidc-callback") + "?code=a&state=b").status_code == 404
    assert "Sign in with" not in client.get(reverse("login")).text


def test_pages_let_the_sign_out_form_go_on_to_the_provider_only(client, sso):
    policy = client.get(reverse("login"))["Content-Security-Policy"]

    assert f"form-action 'self' {sso.issuer};" in policy


def test_it_reads_the_groups_from_the_claim_the_settings_name(settings):
    claims = {"groups": ["staff"], "realm_access": {"roles": ["architects", " "]}, "team": "ops"}

    assert group_names(claims) == ["staff"]
    settings.OIDC_GROUPS_CLAIM = "realm_access.roles"
    assert group_names(claims) == ["architects"]
    settings.OIDC_GROUPS_CLAIM = "team"
    assert group_names(claims) == ["ops"]
    settings.OIDC_GROUPS_CLAIM = "missing.claim"
    assert group_names(claims) == []


def test_it_prints_a_providers_settings_from_its_discovery_document(provider):
    out = StringIO()

    call_command("oidc_discover", provider.issuer + "/", stdout=out)

    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert lines["OIDC_OP_ISSUER"] == provider.issuer
    assert lines["OIDC_OP_TOKEN_ENDPOINT"] == f"{provider.issuer}/token"
    assert lines["OIDC_OP_LOGOUT_ENDPOINT"] == f"{provider.issuer}/session/end"
    assert set(lines) == {
        "OIDC_OP_ISSUER",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
        "OIDC_OP_LOGOUT_ENDPOINT",
    }


def test_it_refuses_a_discovery_document_of_another_issuer(provider):
    with pytest.raises(CommandError, match="names another issuer"):
        call_command("oidc_discover", provider.issuer.replace("127.0.0.1", "localhost"))
