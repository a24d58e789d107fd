"""Single sign-on through the organisation's OpenID Connect provider, with mozilla-django-oidc.

mozilla-django-oidc runs the authorization code flow (state, nonce, PKCE) and fetches the tokens
and the userinfo. What is Adroit's: the ID token's issuer and audience are checked (the library
checks neither), the person is found by the provider's subject before the email address, their
name and address follow the provider, their groups become workspace roles (`apply_group_roles`),
and every refusal is a page of ours that says what went wrong, with nobody signed in.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from apps.workspaces.models import Membership

from .forms import split_name
from .models import ProviderIdentity, apply_group_roles

logger = logging.getLogger("adroit.accounts")

WRONG_ISSUER = (
    "The sign-in came from {got}, not from {expected}, the provider this Adroit trusts. "
    "Nobody was signed in."
)
EXPIRED = (
    "The provider's sign-in had expired by the time it reached Adroit. Try again; if it keeps "
    "happening, the provider's clock and this server's disagree."
)
UNVERIFIED = (
    "The provider's answer could not be verified (its signature, audience or one-time code did "
    "not match), so nobody was signed in. Try again."
)
STATE = (
    "This sign-in does not belong to one started in this browser: it was changed, used already, "
    "or started elsewhere. Nobody was signed in. Start again from the sign-in page."
)
UNREACHABLE = (
    "Adroit could not complete the sign-in with the provider just now. Try again in a moment."
)
SWITCHED_OFF = "Your account here is switched off. Ask an administrator."
AMBIGUOUS = (
    "Several accounts here use the address {email}, so Adroit cannot tell which is yours. "
    "Ask an administrator to link yours."
)
UNVERIFIED_EMAIL = (
    "An account here already uses {email}, and the provider has not verified that the address "
    "is yours. Ask an administrator."
)
TAKEN = (
    "The account here that uses {email} signs in with another account at the provider. "
    "Ask an administrator."
)
NO_SUBJECT = "The provider did not say who you are (no subject), so nobody was signed in."


class SignInRefused(Exception):
    """A sign-in the callback turns away, with the reason shown to the person."""

    def __init__(self, reason: str, status: int = 403):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME


def group_names(claims: dict) -> list[str]:
    """The groups the claim named by OIDC_GROUPS_CLAIM holds: a list or one name; a dotted name
    reaches into an object (Keycloak's `realm_access.roles`)."""
    value = claims
    for part in settings.OIDC_GROUPS_CLAIM.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        return [value.strip()]
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return []


def _name_parts(claims: dict) -> tuple[str, str]:
    given, family = claims.get("given_name") or "", claims.get("family_name") or ""
    if not (given or family):
        given, family = split_name(" ".join(str(claims.get("name") or "").split()))
    return " ".join(str(given).split())[:150], " ".join(str(family).split())[:150]


USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


def _free_username(claims: dict) -> str:
    """The provider's preferred username, else the address's local part, made unique here."""
    email = str(claims.get("email") or "")
    wanted = str(claims.get("preferred_username") or email.split("@")[0] or "person")
    base = USERNAME_UNSAFE.sub("", wanted)[:140] or "person"
    users = get_user_model()._default_manager
    candidate, n = base, 1
    while users.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _email_is_free(email: str, user) -> bool:
    others = get_user_model()._default_manager.filter(email__iexact=email).exclude(pk=user.pk)
    return not others.exists()


def sign_in_person(issuer: str, claims: dict):
    """The person these verified claims name: found by subject, else by a verified email
    address (and linked), else new. Their name and address follow the provider's, and their
    memberships the group mapping."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SignInRefused(NO_SUBJECT)
    email = str(claims.get("email") or "").strip()
    users = get_user_model()._default_manager
    with transaction.atomic():
        identity = (
            ProviderIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        user = identity.user if identity else None
        if user is None and email:
            same = list(users.filter(email__iexact=email)[:2])
            if len(same) > 1:
                raise SignInRefused(AMBIGUOUS.format(email=email))
            if same and claims.get("email_verified") not in (True, "true"):
                # Anyone can type any address at some providers: only a verified one is proof.
                raise SignInRefused(UNVERIFIED_EMAIL.format(email=email))
            if same and same[0].provider_identities.filter(issuer=issuer).exists():
                # Another provider account signs in as this person: an address handed on to a
                # newcomer must not hand them the old account.
                raise SignInRefused(TAKEN.format(email=email))
            user = same[0] if same else None
        if user is not None and not user.is_active:
            raise SignInRefused(SWITCHED_OFF)
        if user is None:
            # No password: this person signs in through the provider.
            user = users.create_user(_free_username(claims), email=email)
        first, last = _name_parts(claims)
        if first or last:
            user.first_name, user.last_name = first, last
        if email and email.lower() != (user.email or "").lower() and _email_is_free(email, user):
            user.email = email
        user.save()
        if identity is None:
            try:
                with transaction.atomic():
                    identity = ProviderIdentity.objects.create(
                        user=user, issuer=issuer, subject=subject
                    )
            except IntegrityError:
                # The same person's first sign-in in two tabs at once: the other one linked it.
                identity = ProviderIdentity.objects.get(issuer=issuer, subject=subject)
        else:
            identity.last_sign_in = timezone.now()
            identity.save(update_fields=["last_sign_in"])
        apply_group_roles(user, group_names(claims))
    return user


class ProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, checking what it does not and finding people Adroit's way."""

    def authenticate(self, request, **kwargs):
        # Only the callback passes a nonce: a password sign-in must never reach the provider.
        if request is None or "nonce" not in kwargs or not enabled():
            return None
        return super().authenticate(request, **kwargs)

    def get_payload_data(self, token, key):
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            if algorithm != self.OIDC_RP_SIGN_ALGO:
                raise SignInRefused(UNVERIFIED)
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                leeway=settings.OIDC_LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise SignInRefused(EXPIRED) from error
        except jwt.InvalidIssuerError as error:
            got = jwt.decode(token, options={"verify_signature": False}).get("iss")
            reason = WRONG_ISSUER.format(got=got, expected=settings.OIDC_OP_ISSUER)
            raise SignInRefused(reason) from error
        except jwt.PyJWTError as error:
            raise SignInRefused(UNVERIFIED) from error

    def verify_token(self, token, **kwargs):
        try:
            return super().verify_token(token, **kwargs)
        except SuspiciousOperation as error:  # a wrong nonce, or no key for the token
            raise SignInRefused(UNVERIFIED) from error

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload.get("sub")):
            # OpenID Connect Core 5.3.2: a userinfo answer about someone else must be ignored.
            raise SignInRefused(UNVERIFIED)
        # Some providers put the groups in the ID token only, others in the userinfo only.
        return sign_in_person(settings.OIDC_OP_ISSUER, {**payload, **userinfo})


def refuse(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    """The refusal page; whoever was signed in in this browser is no longer."""
    if request.user.is_authenticated:
        auth.logout(request)
    context = {"reason": reason, "provider": provider_name()}
    return render(request, "accounts/sso_refused.html", context, status=status)


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with a fresh state, nonce and PKCE challenge."""

    def get(self, request):
        if not enabled():
            raise Http404("Single sign-on is not set up here.")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signed in, or a page saying why not."""

    def get(self, request):
        if not enabled():
            raise Http404("Single sign-on is not set up here.")
        self.user = None
        try:
            return super().get(request)
        except SignInRefused as refused:
            return refuse(request, refused.reason, refused.status)
        except SuspiciousOperation:
            # mozilla-django-oidc's one SuspiciousOperation here: a state this session never made.
            return refuse(request, STATE, 400)
        except requests.RequestException:
            logger.exception("Single sign-on: the provider's token or userinfo endpoint failed")
            return refuse(request, UNREACHABLE, 502)

    @property
    def success_url(self) -> str:
        if not self.request.session.get("oidc_login_next"):
            # Signed in from the sign-in page itself: to the one workspace the groups gave.
            slugs = Membership.objects.filter(user=self.user).values_list("workspace__slug")
            found = [slug for (slug,) in slugs[:2]]
            if len(found) == 1:
                return f"{reverse('decisions:log')}?{urlencode({'workspace': found[0]})}"
        return super().success_url

    def login_failure(self):
        request = self.request
        if request.GET.get("error"):
            said = request.GET.get("error_description") or request.GET["error"]
            return refuse(request, f"The provider did not sign you in: {said}", 403)
        if self.user is not None and not self.user.is_active:
            return refuse(request, SWITCHED_OFF, 403)
        return refuse(request, STATE, 400)


def provider_logout_url(request: HttpRequest) -> str:
    """Where signing out sends the browser (OIDC_OP_LOGOUT_URL_METHOD): to the provider's
    end_session_endpoint when the person signed in through it, so the provider's session ends
    too and the next "Sign in with" asks again; else to the sign-in page."""
    here = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not (enabled() and settings.OIDC_OP_LOGOUT_ENDPOINT and id_token):
        return here
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(here),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}"
