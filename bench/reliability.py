"""Load and fault runs against Adroit served as in production (gunicorn, DEBUG off).

    python bench/reliability.py load    # 50 users, 60 s of mixed reading and editing
    python bench/reliability.py fault   # PostgreSQL restarted in the middle of a load run

Each run seeds its own database (SQLite file, or the PostgreSQL named by DATABASE_URL with the
database name replaced by adroit_reliability), prints a summary, appends it to
bench/results/reliability.json and exits non-zero when a check fails. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "reliability.json"
PASSWORD = "load-test-password-1"  # noqa: S105 - seeded users of a throwaway database
# Each user approves this many decisions during a run (each approval accepts and freezes one).
REVIEWS_PER_USER = 4


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path="/adroit_reliability"))
    return f"sqlite:///{ROOT / 'bench' / 'reliability.sqlite3'}"


def prepare(users: int) -> None:
    """Create the database and seed one workspace, its members and a draft per member."""
    env = {**os.environ, "DATABASE_URL": database_url()}
    url = env["DATABASE_URL"]
    if url.startswith("postgres"):
        admin = urlsplit(url)._replace(path="/postgres")
        subprocess.run(
            ["psql", urlunsplit(admin), "-q", "-c", "DROP DATABASE IF EXISTS adroit_reliability"],
            check=True,
        )
        subprocess.run(
            ["psql", urlunsplit(admin), "-q", "-c", "CREATE DATABASE adroit_reliability"],
            check=True,
        )
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seed = f"""
from apps.decisions.models import Decision
from apps.reviews.models import submit_for_review
from apps.workspaces.models import Workspace, Membership
from django.contrib.auth import get_user_model
ws = Workspace.objects.create(slug="load", name="Load")
people = []
for i in range({users}):
    user = get_user_model().objects.create_user(f"user{{i}}", password={PASSWORD!r})
    Membership.objects.create(workspace=ws, user=user, role="reviewer")
    people.append(user)
    Decision.objects.create(workspace=ws, number=i + 1, title=f"Decision {{i}}", owner=user,
                            context="Why we need to decide. " * 20)
# Decisions in review, each waiting for one named reviewer: approving one freezes a version.
for j in range({users} * {REVIEWS_PER_USER}):
    decision = Decision.objects.create(
        workspace=ws, number={users} + 1 + j, title=f"Review {{j}}", owner=people[j % {users}],
        context="To be approved under load. " * 10)
    # Only a complete draft goes to review: one scenario with a pro and a con, chosen.
    chosen = decision.scenarios.create(title="Approve it")
    chosen.points.create(kind="good", text="it ships")
    chosen.points.create(kind="bad", text="it waits for a review")
    Decision.objects.filter(pk=decision.pk).update(chosen=chosen)
    submit_for_review(decision, by=people[j % {users}], reviewers=[people[(j + 1) % {users}]])
"""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", seed],
        cwd=ROOT,
        env={**env, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
        check=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    # Answers only allowed under conditions checked after the run (a 503 during the outage):
    # (started, ended, "name status") each.
    tolerated: list[tuple[float, float, str]] = field(default_factory=list)
    timeline: list[tuple[float, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self, name: str, status: int, started: float, expected: set[int], allowed: set[int]
    ) -> None:
        ended = time.monotonic()
        with self.lock:
            self.latencies.append(ended - started)
            key = f"{name} {status}"
            self.statuses[key] = self.statuses.get(key, 0) + 1
            self.timeline.append((ended, status))
            if status in expected:
                return
            if status in allowed:
                self.tolerated.append((started, ended, key))
            else:
                self.unexpected.append(key)


class User:
    """One person: signs in, reads the log and decisions, edits their own draft."""

    def __init__(self, port: int, index: int, users: int, tally: Tally, allowed: set[int]) -> None:
        self.port, self.index, self.users = port, index, users
        self.tally, self.allowed = tally, allowed
        self.cookies: dict[str, str] = {}
        self.revision: int | None = None
        # Seeded: decision users + 1 + j waits for user (j + 1) % users.
        self.to_review = [
            users + 1 + j for j in range(users * REVIEWS_PER_USER) if (j + 1) % users == index
        ]
        self.tried: set[int] = set()

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, text

    def timed(self, name: str, method: str, path: str, expected: set[int], body=None) -> str:
        started = time.monotonic()
        try:
            status, text = self.request(method, path, body)
        except OSError:
            status, text = 599, ""
        self.tally.add(name, status, started, expected, self.allowed)
        return text if status < 400 else ""

    def sign_in(self) -> bool:
        _, page = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not token:
            return False
        status, _ = self.request(
            "POST",
            "/login/",
            {
                "username": f"user{self.index}",
                "password": PASSWORD,
                "csrfmiddlewaretoken": token[1],
            },
        )
        return status == 302

    def edit(self, number: int) -> None:
        page = self.timed("edit page", "GET", f"/w/load/{number}/edit/problem/", {200})
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        revision = re.search(r'name="revision" value="(\d+)"', page)
        if not token or not revision:
            return
        self.timed(
            "save",
            "POST",
            f"/w/load/{number}/edit/part/problem/",
            {302},
            {
                "csrfmiddlewaretoken": token[1],
                "revision": revision[1],
                "title": f"Decision {number - 1}",
                "context": f"Edited by user{self.index} at {time.time()}",
                "overview": "",
                "drivers": "",
            },
        )

    def approve(self) -> None:
        """Approve the next decision this user was asked to review; it becomes version 1."""
        if not self.to_review:
            return
        number = self.to_review[0]
        page = self.timed("decision page", "GET", f"/w/load/{number}/", {200})
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not token:
            return
        started = time.monotonic()
        try:
            status, _ = self.request(
                "POST",
                f"/w/load/{number}/review/approve/",
                {"csrfmiddlewaretoken": token[1]},
            )
        except OSError:
            status = 599
        # 422: an earlier attempt landed but its answer was lost in the outage; already accepted.
        expected = {302} | ({422} if number in self.tried else set())
        self.tally.add("approve", status, started, expected, self.allowed)
        self.tried.add(number)
        if status in {302, 422}:
            self.to_review.pop(0)

    def run(self, until: float) -> None:
        while not self.sign_in():
            if time.monotonic() > until:
                return
            time.sleep(0.5)
        own = self.index + 1
        step = 0
        while time.monotonic() < until:
            step += 1
            if step % 3 == 0:
                self.edit(own)
            elif step % 5 == 1:
                self.approve()
            else:
                other = (self.index + step) % self.users + 1
                self.timed("log", "GET", "/", {200})
                self.timed("decision page", "GET", f"/w/load/{other}/", {200})


def run_users(port: int, users: int, seconds: float, allowed: set[int]) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=User(port, i, users, tally, allowed).run, args=(until,), daemon=True
        )
        for i in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] * 1000 if len(values) > 20 else 0.0


def restart_postgresql(down_seconds: float) -> tuple[float, float]:
    cluster = sorted(os.listdir("/etc/postgresql"))[0]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main"]
    stopped = time.monotonic()
    subprocess.run([*command, "stop", "-m", "fast"], check=True)
    time.sleep(down_seconds)
    subprocess.run([*command, "start"], check=True)
    return stopped, time.monotonic()


# Run by `manage.py shell`: every problem on a line of its own tagged "PROBLEM ", then the
# "#versions N" line that proves the check ran to its end. Anything else the shell prints
# (banners, auto-import notes, warnings) is not a finding and is ignored.
INTEGRITY_CHECK = """
from django.db.models import Count, Q
from apps.decisions.models import Decision
from apps.reviews.models import Approval, ReviewRound
from apps.versions.models import Version, sha256_of
problems = []
problems += [f"{d} has revision {d.revision} < 1" for d in Decision.objects.filter(revision__lt=1)]
for v in Version.objects.all():
    if not v.markdown or not v.snapshot or sha256_of(v.markdown) != v.sha256:
        problems.append(f"version {v.pk}: no snapshot, or its Markdown does not give its hash")
    rows = Approval.objects.filter(version=v).count()
    if not rows:
        problems.append(f"version {v.pk} froze without an approval row pinned to it")
    if rows != len(v.approvals):
        problems.append(f"version {v.pk} lists {len(v.approvals)} approvals but {rows} are pinned")
decisions = Decision.objects.annotate(
    versions_n=Count("versions", distinct=True),
    accepts=Count("status_changes", filter=Q(status_changes__to_status="accepted"), distinct=True),
)
for d in decisions:
    if d.versions_n != d.accepts:
        problems.append(f"{d}: {d.accepts} acceptances but {d.versions_n} versions")
    if d.status == "accepted" and ReviewRound.objects.open().filter(decision=d).exists():
        problems.append(f"{d}: accepted with its review still open")
for round in ReviewRound.objects.filter(outcome="accepted"):
    if not Approval.objects.filter(round=round, version__isnull=False).exists():
        problems.append(f"{round}: accepted, but no approval is pinned to a version")
pinned = Approval.objects.filter(version__isnull=False).exclude(round__outcome="accepted")
problems += [f"approval {a.pk} pinned to a version of a review not accepted" for a in pinned]
for problem in problems:
    print("PROBLEM", " ".join(str(problem).split()))
print(f"#versions {Version.objects.count()}")
"""


def integrity_problems() -> tuple[list[str], int]:
    """Writes that landed halfway (none may exist after the outage), and the versions frozen.

    A check that could not run is a problem too: silence must never read as "all is well".
    """
    env = {**os.environ, "DATABASE_URL": database_url()}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-v", "0", "-c", INTEGRITY_CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    problems, frozen = parse_integrity(done.stdout)
    if done.returncode or frozen is None:
        tail = " ".join(done.stderr.strip().splitlines()[-1:])
        problems.append(
            f"the integrity check did not run to its end (exit {done.returncode}) {tail}"
        )
    return problems, frozen or 0


def parse_integrity(out: str) -> tuple[list[str], int | None]:
    """The tagged problems, and the version count (None when the check never printed it)."""
    problems = [
        line.removeprefix("PROBLEM ") for line in out.splitlines() if line.startswith("PROBLEM ")
    ]
    counts = [
        int(line.split()[1]) for line in out.splitlines() if re.fullmatch(r"#versions \d+", line)
    ]
    return problems, counts[-1] if counts else None


# After PostgreSQL is back, workers may still hold a dead connection for a request or two.
GRACE_S = 2.0


def stray_503s(tolerated: list[tuple[float, float, str]], down: float, up: float) -> list[str]:
    """503s whose request did not overlap the outage (plus grace): the app failed on its own."""
    return [key for started, ended, key in tolerated if ended < down or started > up + GRACE_S]


def recovered_after(last_503: float | None, up: float) -> float | None:
    """Seconds from the database being back to the last 503 (0 when none came after it)."""
    if last_503 is None:
        return None
    return round(max(0.0, last_503 - up), 2)


def report(name: str, tally: Tally, extra: dict) -> dict:
    total = len(tally.latencies)
    result = {
        "name": name,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database_url().startswith("postgres") else "sqlite",
        "requests": total,
        "p50_ms": round(statistics.median(tally.latencies) * 1000, 1) if total else None,
        "p95_ms": round(p95(tally.latencies), 1),
        "unexpected_errors": len(tally.unexpected),
        "statuses": dict(sorted(tally.statuses.items())),
        "load_average": os.getloadavg(),
        **extra,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    history = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    history.append(result)
    RESULTS.write_text(json.dumps(history, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["load", "fault"])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--down", type=float, default=5, help="seconds PostgreSQL stays down")
    args = parser.parse_args()
    if args.mode == "fault" and not database_url().startswith("postgres"):
        raise SystemExit("The fault run restarts PostgreSQL: set DATABASE_URL=postgres://…")
    prepare(args.users)
    port = free_port()
    server = serve(port)
    failures: list[str] = []
    try:
        if args.mode == "load":
            tally = run_users(port, args.users, args.seconds, set())
            problems, frozen = integrity_problems()
            result = report(
                "load",
                tally,
                {
                    "users": args.users,
                    "seconds": args.seconds,
                    "versions_frozen": frozen,
                    "half_applied_writes": problems,
                },
            )
            if result["unexpected_errors"]:
                failures.append(f"{result['unexpected_errors']} unexpected responses")
            if not frozen:
                failures.append("no approval froze a version: the review path was not exercised")
            failures += problems
        else:
            outage: dict = {}

            def break_database() -> None:
                time.sleep(args.seconds / 3)
                outage["down"], outage["up"] = restart_postgresql(args.down)

            breaker = threading.Thread(target=break_database)
            breaker.start()
            # During the outage 503 is the clean, expected answer; a 500 is not. Whether each 503
            # fell in the outage is decided once the outage's times are known.
            tally = run_users(port, args.users, args.seconds, {503})
            breaker.join()
            down, up = outage["down"], outage["up"]
            stray = stray_503s(tally.tolerated, down, up)
            tally.unexpected += [f"{key} outside the outage" for key in stray]
            last_503 = max((ended for _, ended, _ in tally.tolerated), default=None)
            recovery = recovered_after(last_503, up)
            during = [s for t, s in tally.timeline if down <= t <= up]
            problems, frozen = integrity_problems()
            result = report(
                "fault",
                tally,
                {
                    "users": args.users,
                    "seconds": args.seconds,
                    "database_down_s": round(up - down, 2),
                    "answers_during_outage": {str(s): during.count(s) for s in set(during)},
                    "503_outside_outage": len(stray),
                    "recovered_after_s": recovery,
                    "versions_frozen": frozen,
                    "half_applied_writes": problems,
                },
            )
            if result["unexpected_errors"]:
                failures.append(
                    f"{result['unexpected_errors']} unexpected responses"
                    f" (a 503 counts only during the outage, {GRACE_S:g} s grace after it)"
                )
            if len(tally.tolerated) == len(stray):
                failures.append("no request met the outage: nothing was proven")
            if recovery is None or recovery > 10:
                failures.append(f"no recovery within 10 s of the database returning ({recovery})")
            if not frozen:
                failures.append("no approval froze a version: the review path was not exercised")
            failures += problems
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
