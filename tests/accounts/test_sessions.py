"""Sessions hold across processes: what one process or server signs out, no other still serves."""

import os
import subprocess
import sys

from django.conf import settings
from django.contrib.sessions.models import Session


def test_a_session_signed_out_by_another_process_is_refused_here(client, author):
    client.force_login(author)
    assert client.get("/").status_code == 200  # read here, so a per-process cache would hold it

    # Another gunicorn process or server signs it out: it deletes the row, and can clear only
    # its own cache, not this process's memory.
    Session.objects.all().delete()

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def engine_with(**env: str) -> str:
    script = "import django; django.setup(); from django.conf import settings; "
    script += "print(settings.SESSION_ENGINE)"
    environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_it_reads_sessions_through_the_cache_only_when_the_cache_is_shared():
    assert engine_with() == "django.contrib.sessions.backends.db"
    shared = engine_with(REDIS_URL="redis://127.0.0.1:6379/0")
    assert shared == "django.contrib.sessions.backends.cached_db"
