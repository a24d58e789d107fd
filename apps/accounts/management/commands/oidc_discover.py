"""Print the OIDC_OP_* settings of a provider, read from its discovery document, for .env."""

from __future__ import annotations

import requests
from django.core.management.base import BaseCommand, CommandError

SETTINGS = {
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}


class Command(BaseCommand):
    help = (
        "Read <issuer>/.well-known/openid-configuration and print the OIDC_OP_* lines for .env "
        "(the client id and secret come from registering Adroit at the provider)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "issuer", help="The provider's issuer URL, e.g. https://login.example.com"
        )

    def handle(self, *args, issuer: str, **options):
        issuer = issuer.rstrip("/")
        url = f"{issuer}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            found = response.json()
        except (requests.RequestException, ValueError) as error:
            raise CommandError(f"Could not read {url}: {error}") from error
        if found.get("issuer", "").rstrip("/") != issuer:
            # OpenID Connect Discovery 4.3: the document must name the issuer it was read from.
            raise CommandError(f"{url} names another issuer: {found.get('issuer')!r}")
        for name, key in SETTINGS.items():
            self.stdout.write(f"{name}={found.get(key, '')}")
        if "end_session_endpoint" not in found:
            self.stderr.write(
                "The provider has no end_session_endpoint: signing out ends Adroit's session only."
            )
