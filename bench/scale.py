"""`make scale`: Adroit on two app servers and two workers, one PostgreSQL and one Redis.

Seeds a database named adroit_scale (dropped and made again), starts two gunicorn servers and
two `manage.py worker`s with REDIS_URL set, then 100 simulated people work for SCALE_SECONDS
(60) spread over both servers, each sending a request every second or so:

- 60 authors edit their own draft, each save on the other server from the one before, with the
  revision the previous answer gave: a save one server took must be what the other shows;
- 20 reviewers approve the decisions waiting for them, one at a time;
- 20 people export: a zip (4 of them a board pack) requested on one server, its progress read
  and the file downloaded from the other.

Ten people sign in through the form, the other ninety bring a session made by the seed (a
sign-in rush is PBKDF2 on purpose, and not what this measures); each uses one session on both
servers. At the end it checks and
prints: unexpected answers (anything but the statuses each request expects), lost updates (an
acknowledged save that is not the decision's text; an approval answered but no accepted
version), and every export job done exactly once (each ExportJob done, and RQ ran as many jobs
as were requested, none failed). It exits 1 if any of the three is not 0.

Not part of `make test`. Figures go into docs/scaling.md by hand; bench/results/scale.json keeps
the last run.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "adroit_scale"
PG = os.environ.get("SCALE_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/5")
PORTS = [int(p) for p in os.environ.get("SCALE_PORTS", "8121,8122").split(",")]
SECONDS = float(os.environ.get("SCALE_SECONDS", "60"))
PEOPLE = 100
LOG = ROOT / "bench" / "results" / "scale-servers.log"  # gunicorn's own messages, not kept
SIGN_INS = 10  # sign in through the form; the rest come with a session (see seed)
AUTHORS, REVIEWERS = 60, 20  # the rest export
# A fresh password each run: the seeded people exist only in this throwaway database.
PASSWORD = os.urandom(12).hex()
KINDS = [
    ("POST", re.compile(r"^/login/$"), "sign-in"),
    ("POST", re.compile(r"/edit/part/"), "save an edit"),
    ("POST", re.compile(r"/review/approve/$"), "approve"),
    ("POST", re.compile(r"/exports/start/$"), "request an export"),
    ("POST", re.compile(r"/download/$"), "download an export"),
    ("GET", re.compile(r"/exports/\d+/$"), "export progress"),
    ("GET", re.compile(r""), "read a page"),
]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')


def prepare() -> dict[str, str]:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as pg:
        pg.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        pg.execute(f"CREATE DATABASE {DATABASE}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "ADROIT_MEDIA_ROOT": tempfile.mkdtemp(prefix="adroit-scale-media-"),
        "DEBUG": "0",
        "SECRET_KEY": "scale-run-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Each person has one export at a time; the limit is not what is measured here.
        "ADROIT_MAX_JOBS_PER_PERSON": "3",
    }
    os.environ.update(env)
    return env


def seed() -> dict:
    """100 people in one workspace: drafts for the authors, decisions in review for reviewers."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.core.management import call_command
    from django.db import connection

    from apps.decisions.models import Decision, Scenario, ScenarioPoint
    from apps.reviews.models import submit_for_review
    from apps.workspaces.models import Membership, Workspace

    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.create(slug="scale", name="Scale")
    hashed = make_password(PASSWORD)
    User = get_user_model()
    people = [
        User.objects.create(username=f"p{i:03d}", password=hashed, first_name=f"Person {i}")
        for i in range(PEOPLE)
    ]
    roles = ["author"] * AUTHORS + ["reviewer"] * REVIEWERS
    roles += ["author"] * (PEOPLE - len(roles))
    Membership.objects.bulk_create(
        Membership(workspace=workspace, user=p, role=r) for p, r in zip(people, roles, strict=True)
    )

    def draft(owner, title: str) -> Decision:
        number = Decision.next_number(workspace)
        decision = Decision.objects.create(
            workspace=workspace, number=number, title=title, owner=owner, context="We start."
        )
        a = Scenario.objects.create(decision=decision, title="Keep it", position=0)
        b = Scenario.objects.create(decision=decision, title="Change it", position=1)
        for row, good, bad in [(a, "nothing moves", "it stays slow"), (b, "faster", "work")]:
            ScenarioPoint.objects.create(scenario=row, kind="good", text=good)
            ScenarioPoint.objects.create(scenario=row, kind="bad", text=bad)
        Decision.objects.filter(pk=decision.pk).update(chosen=a)
        decision.refresh_from_db()
        return decision

    drafts = {p.username: draft(p, f"Draft of {p.username}").number for p in people[:AUTHORS]}
    reviews: dict[str, list[int]] = {}
    for i, reviewer in enumerate(people[AUTHORS : AUTHORS + REVIEWERS]):
        owner = people[i]
        reviews[reviewer.username] = []
        for n in range(3):
            d = draft(owner, f"Review {n} for {reviewer.username}")
            submit_for_review(d, by=owner, reviewers=[reviewer], approvals_needed=1)
            reviews[reviewer.username].append(d.number)
    # The first SIGN_INS people sign in through the form during the run; the others signed in
    # earlier (a session row, as the form would have written). A hundred PBKDF2 checks at once
    # would take the two shared cores most of a minute: that is the price of a sign-in rush,
    # measured by the first ten, not what this run is about.
    sessions = {}
    for person in people[SIGN_INS:]:
        session = SessionStore()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.create()
        sessions[person.username] = session.session_key
    connection.close()
    return {"drafts": drafts, "reviews": reviews, "sessions": sessions}


class Person(threading.Thread):
    def __init__(self, index: int, plan: dict, stop: threading.Event, log: Results):
        super().__init__(daemon=True)
        self.index, self.plan, self.stop, self.log = index, plan, stop, log
        self.name_ = f"p{index:03d}"
        self.http = requests.Session()
        # One connection per request, as nginx speaks to gunicorn in docker-compose: gunicorn
        # closes an idle kept-alive connection after 2 s, and a request sent on it as it closes
        # is reset, which a browser retries but this client would count as an error.
        self.http.headers["Connection"] = "close"
        self.rand = random.Random(index)
        # Each person starts on one server and alternates: every step crosses servers.
        self.turn = index % len(PORTS)

    def url(self, path: str, other: bool = False) -> str:
        if not other:
            self.turn += 1
        return f"http://127.0.0.1:{PORTS[(self.turn + (1 if other else 0)) % len(PORTS)]}{path}"

    def call(self, method: str, path: str, expect: set[int], other=False, **kw):
        start = time.perf_counter()
        try:
            response = self.http.request(
                method, self.url(path, other), allow_redirects=False, timeout=120, **kw
            )
        except requests.RequestException as error:
            self.log.error(f"{method} {path}: {error}")
            return None
        kind = next(k for m, pattern, k in KINDS if m == method and pattern.search(path))
        self.log.timed(kind, time.perf_counter() - start, response.status_code)
        if response.status_code not in expect:
            self.log.error(f"{method} {path}: {response.status_code}")
        return response

    def token(self, path: str) -> str | None:
        page = self.call("GET", path, {200})
        found = page is not None and CSRF.search(page.text)
        return found.group(1) if found else None

    def run(self) -> None:
        if self.name_ in self.plan["sessions"]:
            self.http.cookies.set("sessionid", self.plan["sessions"][self.name_])
        else:
            token = self.token("/login/")
            form = {"username": self.name_, "password": PASSWORD, "csrfmiddlewaretoken": token}
            if token is None or self.call("POST", "/login/", {302}, data=form) is None:
                return
        if self.name_ in self.plan["drafts"]:
            self.author(self.plan["drafts"][self.name_])
        elif self.name_ in self.plan["reviews"]:
            self.reviewer(self.plan["reviews"][self.name_])
        else:
            self.exporter()

    def pause(self) -> None:
        self.stop.wait(self.rand.uniform(0.5, 1.5))

    def author(self, number: int) -> None:
        page = self.call("GET", f"/w/scale/{number}/edit/problem/", {200})
        if page is None:
            return
        token, revision = CSRF.search(page.text)[1], REVISION.search(page.text)[1]
        saves = 0
        while not self.stop.is_set():
            saves += 1
            text = f"We start. Saved {saves} by {self.name_}."
            data = {
                "title": f"Draft of {self.name_}",
                "context": text,
                "overview": "",
                "drivers": "",
                "revision": revision,
                "csrfmiddlewaretoken": token,
            }
            headers = {"HX-Request": "true", "X-CSRFToken": token}
            path = f"/w/scale/{number}/edit/part/problem/"
            response = self.call("POST", path, {200}, data=data, headers=headers)
            trigger = response is not None and response.headers.get("HX-Trigger")
            if trigger:
                revision = str(json.loads(trigger)["adroit:revision"]["value"])
                self.log.saved(number, text)
            elif response is not None:
                # Refused or answered without a revision: read the form again, as a browser
                # reloading the step would, rather than save on a stale revision.
                page = self.call("GET", f"/w/scale/{number}/edit/problem/", {200})
                if page is not None:
                    revision = REVISION.search(page.text)[1]
            # Read it back from the other server now and then, as a colleague would.
            if saves % 3 == 0:
                self.call("GET", f"/w/scale/{number}/", {200}, other=True)
            self.pause()

    def reviewer(self, numbers: list[int]) -> None:
        for number in numbers:
            if self.stop.is_set():
                return
            token = self.token(f"/w/scale/{number}/review/")
            response = self.call(
                "POST",
                f"/w/scale/{number}/review/approve/",
                {302},
                data={"csrfmiddlewaretoken": token},
                headers={"X-CSRFToken": token or ""},
            )
            if response is not None and response.status_code == 302:
                self.log.approved(number)
            self.pause()
        while not self.stop.is_set():  # then reads what others write
            self.call("GET", f"/w/scale/{self.rand.choice(numbers)}/", {200})
            self.pause()

    def exporter(self) -> None:
        pack = self.index % 5 == 0
        while not self.stop.is_set():
            token = self.token("/w/scale/exports/")
            if token is None:
                return
            if pack:
                data = {"kind": "board_pack", "decisions": self.plan["pack"]}
            else:
                data = {"kind": "zip", "format": "madr"}
            data["csrfmiddlewaretoken"] = token
            started = self.call("POST", "/w/scale/exports/start/", {302}, data=data)
            if started is None or "/exports/" not in started.headers.get("Location", ""):
                return
            job = started.headers["Location"]
            self.log.requested()
            # Progress and the file from the other server than the one that took the request.
            while True:
                page = self.call("GET", job, {200}, other=True)
                if page is None:
                    return
                if "/download/" in page.text or "The export failed" in page.text:
                    break
                self.stop.wait(1)
                if self.stop.is_set() and time.monotonic() > self.log.hard_stop:
                    return
            body = self.call(
                "POST",
                job + "download/",
                {200},
                other=True,
                data={"csrfmiddlewaretoken": token},
                headers={"X-CSRFToken": token},
            )
            if body is not None and body.status_code == 200:
                self.log.downloaded(self.check_file(body.content, pack))
            self.pause()

    def check_file(self, content: bytes, pack: bool) -> bool:
        if pack:
            return content.startswith(b"%PDF")
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(n.endswith(".md") for n in archive.namelist()) >= AUTHORS


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[tuple[str, float, float]] = []
        self.saves = 0
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.last_save: dict[int, str] = {}
        self.approvals: list[int] = []
        self.exports = {"requested": 0, "downloaded": 0, "bad_files": 0}
        self.hard_stop = float("inf")

    def timed(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.times.append((kind, seconds, time.monotonic()))
            self.statuses[status] += 1

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def saved(self, number: int, text: str) -> None:
        with self.lock:
            self.last_save[number] = text
            self.saves += 1

    def approved(self, number: int) -> None:
        with self.lock:
            self.approvals.append(number)

    def requested(self) -> None:
        with self.lock:
            self.exports["requested"] += 1

    def downloaded(self, good: bool) -> None:
        with self.lock:
            self.exports["downloaded"] += 1
            self.exports["bad_files"] += 0 if good else 1


def start(env: dict[str, str]) -> list[subprocess.Popen]:
    # gunicorn's timeout is 120 s here, not production's 30: on a shared machine a request can
    # wait that long for a CPU, and a worker killed under it would count as an error of Adroit's.
    python = sys.executable
    gunicorn = str(Path(python).parent / "gunicorn")
    processes = [
        subprocess.Popen(
            [gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--threads", "4", "--timeout", "120"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=LOG.open("a"),
        )
        for port in PORTS
    ]  # fmt: skip
    processes += [
        subprocess.Popen(
            [python, "manage.py", "worker", "-v", "0"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]  # fmt: skip
    for port in PORTS:
        for _ in range(60):
            try:
                requests.get(f"http://127.0.0.1:{port}/login/", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise SystemExit(f"the server on port {port} did not start")
    return processes


def verify(plan: dict, log: Results) -> dict:
    from django.db import connection
    from rq import Queue
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    from apps.decisions.models import Decision
    from apps.exports.models import ExportJob

    connection.close()
    lost = []
    contexts = dict(
        Decision.objects.filter(workspace__slug="scale", number__in=log.last_save).values_list(
            "number", "context"
        )
    )
    lost += [f"save of {n} lost" for n, text in log.last_save.items() if contexts[n] != text]
    accepted = set(
        Decision.objects.filter(
            workspace__slug="scale", number__in=log.approvals, status="accepted"
        ).values_list("number", flat=True)
    )
    lost += [f"approval of {n} lost" for n in log.approvals if n not in accepted]
    jobs = Counter(ExportJob.objects.values_list("state", flat=True))
    connection_ = redis.Redis.from_url(REDIS_URL)
    finished = failed = 0
    for name in ("default", "packs"):
        queue = Queue(name, connection=connection_)
        finished += len(FinishedJobRegistry(queue=queue).get_job_ids())
        failed += len(FailedJobRegistry(queue=queue).get_job_ids())
    total = sum(jobs.values())
    return {
        "lost_updates": lost,
        "jobs": dict(jobs),
        "jobs_total": total,
        "rq_finished": finished,
        "rq_failed": failed,
        "jobs_done_once": jobs.get("done", 0) == total == finished and failed == 0,
    }


def main() -> int:
    env = prepare()
    plan = seed()
    from apps.decisions.models import Decision

    plan["pack"] = [
        str(pk)
        for pk in Decision.objects.filter(workspace__slug="scale")
        .order_by("number")
        .values_list("pk", flat=True)[:3]
    ]
    processes = start(env)
    log = Results()
    stop = threading.Event()
    try:
        people = [Person(i, plan, stop, log) for i in range(PEOPLE)]
        began = time.monotonic()
        for person in people:
            person.start()
            time.sleep(0.05)  # a ramp of 5 s, not 100 sign-ins in one instant
        stop.wait(SECONDS)
        stop.set()
        stopped = time.monotonic()
        # Exports already requested are waited for (up to 3 minutes), then downloaded.
        log.hard_stop = time.monotonic() + 180
        for person in people:
            person.join(timeout=max(1, log.hard_stop - time.monotonic()))
        seconds = time.monotonic() - began
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    checked = verify(plan, log)
    # The load window: from the first request to the stop; the tail only waits for exports.
    window = [t for t in log.times if t[2] <= stopped]
    kinds = {}
    for kind in [k for _, _, k in KINDS]:
        times = sorted(s for k, s, _ in log.times if k == kind)
        if times:
            kinds[kind] = {
                "requests": len(times),
                "median_ms": round(statistics.median(times) * 1000),
                "p95_ms": round(times[int(len(times) * 0.95)] * 1000),
            }
    result = {
        "servers": len(PORTS),
        "workers": 2,
        "people": PEOPLE,
        "load_seconds": SECONDS,
        "seconds_until_every_export_was_downloaded": round(seconds, 1),
        "requests_in_load_window": len(window),
        "requests_per_second": round(len(window) / (stopped - began), 1),
        "by_kind": kinds,
        "statuses": {str(k): v for k, v in sorted(log.statuses.items())},
        "unexpected": len(log.errors),
        "unexpected_examples": log.errors[:10],
        "saves": log.saves,
        "drafts_saved": len(log.last_save),
        "approvals": len(log.approvals),
        "exports": log.exports,
        **checked,
        "lost_updates": len(checked["lost_updates"]),
        "lost_examples": checked["lost_updates"][:10],
    }
    out = ROOT / "bench" / "results" / "scale.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(
        f"\n{result['unexpected']} unexpected errors, {result['lost_updates']} lost updates, "
        f"{checked['jobs_total']} export jobs, "
        f"{'every job done once' if checked['jobs_done_once'] else 'NOT every job done once'}"
    )
    good = not log.errors and not checked["lost_updates"] and checked["jobs_done_once"]
    return 0 if good and log.exports["bad_files"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
