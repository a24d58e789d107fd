import os
import subprocess
import sys

from django.db import OperationalError
from django.db.utils import ConnectionHandler
from django.test import RequestFactory

from apps.core.views import server_error


def test_it_sends_a_content_security_policy_without_inline_or_eval_scripts(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]
    script_src = next(p for p in policy.split("; ") if p.startswith("script-src"))
    assert script_src == "script-src 'self'"
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_it_configures_htmx_without_eval_and_for_our_own_server_only(client, db):
    html = client.get("/login/").content.decode()
    assert '"allowEval": false' in html and '"selfRequestsOnly": true' in html


def test_it_answers_503_while_the_database_is_unreachable(db):
    unreachable = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/nonexistent/dir/db"}}
    )
    request = RequestFactory().get("/")
    try:
        unreachable["default"].ensure_connection()
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"database cannot be reached" in response.content


# The browser tests' async-unsafe switch is for tests only: production never sets it.
PRODUCTION = {
    **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
    "DEBUG": "0",
    "ADROIT_SECURE": "1",
    "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
    "ALLOWED_HOSTS": "adroit.example.com",
}


def test_its_production_cookies_are_secure_and_http_only():
    script = (
        "from django.conf import settings as s; from django.test import Client; "
        "r = Client().get('/login/', secure=True, HTTP_HOST='adroit.example.com'); "
        "print(r.status_code); print(r.cookies['csrftoken'].output()); "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        capture_output=True,
        text=True,
        env=PRODUCTION,
        check=False,
    )
    status, cookie, session = result.stdout.strip().splitlines()[-3:]
    assert status == "200", result.stdout + result.stderr
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    assert session == "True True"


def test_its_production_settings_pass_the_deploy_check():
    env = PRODUCTION
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_a_pdf_time_cap_that_outlasts_gunicorn():
    # gunicorn would kill the worker first, and the reader would get no answer but a dead socket.
    env = {**PRODUCTION, "GUNICORN_TIMEOUT": "30", "ADROIT_PDF_TIMEOUT": "45"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env, check=False
    )

    assert result.returncode != 0
    assert "ADROIT_PDF_TIMEOUT (45 s) must be shorter than GUNICORN_TIMEOUT (30 s)" in result.stderr

    shorter = {**env, "ADROIT_PDF_TIMEOUT": "25"}
    assert subprocess.run([sys.executable, "manage.py", "check"], env=shorter).returncode == 0
