"""A real OpenID Connect provider for the single sign-on tests: tests/oidc/provider/server.js
(the npm package `oidc-provider`) run with the machine's Node.js, and Adroit's settings pointed at
it. Without node or npm these tests fail, never skip: `make test` installs both."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
CLIENT_ID = "adroit"
CLIENT_SECRET = "adroit-test-client-secret"
PASSWORD = "ada-at-the-provider"
ADA = {
    "sub": "ada-0001",
    "email": "ada.lovelace@example.com",
    "email_verified": True,
    "name": "Ada Lovelace",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "preferred_username": "ada.lovelace",
    "groups": ["architects", "staff"],
}


def accounts(**claims) -> dict:
    """The provider's one account, ada, with `claims` changed."""
    return {"ada": {"password": PASSWORD, "claims": {**ADA, **claims}}}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(
            f"{name} is not installed: the single sign-on tests run a real OpenID Connect "
            "provider with Node.js. Run `make oidc-provider` (or .ci/run), which installs it."
        )
    return path


def install_provider() -> None:
    """npm ci into tests/oidc/provider/node_modules (git-ignored) when it is not there yet."""
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = _tool("npm")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PROVIDER_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        pytest.fail(f"npm ci of the test provider failed:\n{done.stdout}\n{done.stderr}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen
    log: Path

    def discovery(self) -> dict:
        url = f"{self.issuer}/.well-known/openid-configuration"
        return requests.get(url, timeout=10).json()

    def set_accounts(self, table: dict) -> None:
        requests.put(f"{self.issuer}/_test/accounts", data=json.dumps(table), timeout=10)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_provider(sites: list[str], skew_seconds: int = 0) -> Provider:
    """A provider on a free port of 127.0.0.1 whose client `adroit` may return to each of
    `sites` (http://testserver for Django's test client, the live server for the browser)."""
    install_provider()
    node = _tool("node")
    port = _free_port()
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{site}/oidc/callback/" for site in sites],
        "post_logout_redirect_uris": [f"{site}/login/" for site in sites],
    }
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT": json.dumps(client),
        "ACCOUNTS": json.dumps(accounts()),
        "CLOCK_SKEW_SECONDS": str(skew_seconds),
    }
    log = Path(tempfile.mkstemp(prefix="oidc-provider-", suffix=".log")[1])
    with log.open("w") as out:
        process = subprocess.Popen(
            [node, "server.js"], cwd=PROVIDER_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while "listening on" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The test OpenID Connect provider did not start:\n{log.read_text()}")
        time.sleep(0.05)
    return Provider(issuer=issuer, process=process, log=log)


def point_adroit_at(settings, provider: Provider, name: str = "Test ID") -> None:
    """Adroit's OIDC_* settings, as an admin would copy them from the discovery document."""
    found = provider.discovery()
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = found["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = found["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
    settings.OIDC_OP_LOGOUT_ENDPOINT = found["end_session_endpoint"]
    settings.OIDC_PROVIDER_NAME = name


def through_provider(start_url: str, login: str = "ada", password: str = PASSWORD) -> str:
    """What a browser does at the provider, with requests: follow the redirects from Adroit's
    authorization request, sign in, allow, and return the URL the provider sends back to Adroit
    (its callback with a code and the state)."""
    browser = requests.Session()
    url, method, data = start_url, "GET", None
    provider_host = None
    for _ in range(20):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        provider_host = provider_host or urlsplit(url).netloc
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            method, data = "GET", None
            if urlsplit(url).netloc != provider_host:
                return url
            continue
        assert response.status_code == 200, response.text
        path = urlsplit(url).path
        if 'name="password"' in response.text:
            url, method, data = f"{path}/login", "POST", {"login": login, "password": password}
        else:
            url, method, data = f"{path}/confirm", "POST", {}
        url = urljoin(response.url, url)
    raise AssertionError("The provider never sent the browser back to Adroit")
