"""docker-compose.yml runs Adroit on several app servers and workers.

No Docker engine runs in CI, so this reads the file as Compose would and checks what
`docker compose up --scale web=3 --scale worker=2` depends on.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP = [name for name, s in SERVICES.items() if s.get("build")]


def command(name: str) -> str:
    value = SERVICES[name].get("command", "")
    return " ".join(value) if isinstance(value, list) else value


def test_it_runs_redis_and_gives_every_app_process_its_address():
    assert SERVICES["redis"]["image"].startswith("redis:")
    assert {"web", "worker", "packs-worker", "migrate"} <= set(APP)
    for name in APP:
        env = SERVICES[name]["environment"]
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["DATABASE_URL"].startswith("postgres://"), name


def test_it_can_scale_the_app_servers_and_the_workers():
    # A scaled service cannot publish one fixed host port: only the proxy does.
    for name in ("web", "worker", "packs-worker"):
        assert "ports" not in SERVICES[name], name
        assert "container_name" not in SERVICES[name], name
    assert SERVICES["proxy"]["ports"] == ["${PORT:-8000}:8000"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    mounted = SERVICES["proxy"]["volumes"][0].split(":")
    assert mounted[0] == "./deploy/nginx.conf"
    # Resolved per request, so containers added by --scale get requests too.
    assert re.search(r"resolver 127\.0\.0\.11", nginx)
    assert "set $app http://web:8000;" in nginx and "proxy_pass $app;" in nginx
    assert "--bind 0.0.0.0:8000" in command("web")


def test_its_workers_run_whichever_queue_the_settings_name():
    assert command("worker") == "python manage.py worker --queue default"
    assert command("packs-worker") == "python manage.py worker --queue packs"
    assert not any("db_worker" in command(name) for name in SERVICES)


def test_it_migrates_once_before_any_app_process_starts():
    assert command("migrate") == "python manage.py migrate --noinput"
    for name in APP:
        if name == "migrate":
            continue
        assert "migrate" not in command(name), name
        after = SERVICES[name]["depends_on"]
        assert after["migrate"] == {"condition": "service_completed_successfully"}, name
        assert after["redis"] == {"condition": "service_healthy"}, name


def test_every_process_that_touches_files_shares_them():
    assert "media" in COMPOSE["volumes"]
    for name in APP:
        if name == "migrate":
            continue
        assert "media:/app/media" in SERVICES[name]["volumes"], name
        assert SERVICES[name]["environment"]["ADROIT_MEDIA_ROOT"] == "/app/media"
