"""Hostile requests beside a normal user, on Adroit served as the Dockerfile serves it.

    python bench/hostile.py                  # every kind, 10 s alone then 15 s beside each
    python bench/hostile.py --kinds redos,diff --alone 5 --beside 10

Issue 13: one request must not stall everyone. For each kind of hostile request, a normal
signed-in user reads (decision page, log, review poll) alone, then again while the hostile
request runs in a loop beside it. A kind passes when the normal user's p95 with it stays under
twice the p95 without it, nobody gets a 5xx (or a dropped connection), and no gunicorn worker
is killed. The baseline is measured right before each kind, so other work on the machine moves
both figures alike.

Seeds its own database (adroit-hostile.sqlite3 in the temporary folder, or the PostgreSQL named
by DATABASE_URL with the database name replaced by adroit_g), runs gunicorn with the Dockerfile's
own command line (its workers, its timeout), and a `db_worker` as `make run` does for board
packs. The hostile users connect from 127.0.0.2, the normal user from 127.0.0.1, so a throttle by
address can tell them apart. Appends the figures to bench/results/reliability.json, prints a
Markdown table and exits non-zero when a kind fails. Only 127.0.0.x is contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "reliability.json"
PASSWORD = "hostile-test-password-1"  # noqa: S105 - seeded users of a throwaway database
DB_NAME = "adroit_g"
WS = "load"
NORMAL_ADDRESS, HOSTILE_ADDRESS = "127.0.0.1", "127.0.0.2"
# The decisions the seed makes, by number.
NORMAL, COMMENTED, DIFFED, IMAGE, IMAGE_TARGET, HEAVY = 1, 2, 3, 4, 5, 6
FILLERS = range(7, 17)
LAUGHS = 900  # the number of the file with YAML aliases, once imported


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(url)._replace(path=f"/{DB_NAME}"))
    return f"sqlite:///{Path(tempfile.gettempdir()) / 'adroit-hostile.sqlite3'}"


# --- The database --------------------------------------------------------------------------

SEED = """
from apps.decisions.models import Decision
from apps.reviews.models import submit_for_review
from apps.versions.models import Version
from apps.workspaces.models import Workspace, Membership
from django.contrib.auth import get_user_model

ws = Workspace.objects.create(slug=WS, name="Hostile")
people = {}
for name, role in [("normal", "reviewer"), ("mallory", "reviewer"), ("reader", "viewer"),
                   ("victor", "viewer")]:
    people[name] = get_user_model().objects.create_user(name, password=PASSWORD)
    Membership.objects.create(workspace=ws, user=people[name], role=role)

def decision(number, title, owner, **fields):
    return Decision.objects.create(workspace=ws, number=number, title=title,
                                   owner=people[owner], **fields)

def in_review(d, reviewer):
    # Only a complete draft goes to review: one scenario with a pro and a con, chosen.
    chosen = d.scenarios.create(title="Go ahead")
    chosen.points.create(kind="good", text="it ships")
    chosen.points.create(kind="bad", text="it waits for a review")
    Decision.objects.filter(pk=d.pk).update(chosen=chosen)
    submit_for_review(d, by=d.owner, reviewers=[people[reviewer]])

# What the normal user reads and polls: a decision in review, of an ordinary size.
in_review(decision(NORMAL, "Use PostgreSQL", "normal", context="Why we decide. " * 40), "mallory")
# Where mallory comments.
in_review(decision(COMMENTED, "Cache pages", "mallory", context="Pages are slow. " * 20), "normal")
# Two versions of 400 lines, three characters changed on each line.
lines = [f"Line {i}: the quick brown fox jumps over the lazy dog {i}" for i in range(400)]
d = decision(DIFFED, "A long decision", "mallory", context="\\n\\n".join(lines))
Version.freeze(d, Decision.objects.with_record().get(pk=d.pk).to_record(), approvals=[])
Decision.objects.filter(pk=d.pk).update(
    context="\\n\\n".join(line.replace("fox", "cat") for line in lines))
Version.freeze(d, Decision.objects.with_record().get(pk=d.pk).to_record(), approvals=[])
# An image whose address is a download: every reader's browser fetches it.
decision(IMAGE, "See the chart", "mallory",
         context=f'The chart: <img src="/w/{WS}/{IMAGE_TARGET}.pdf"> and '
                 f'![chart](/w/{WS}/{IMAGE_TARGET}.pdf)')
decision(IMAGE_TARGET, "Adopt the chart", "mallory", context="What the chart shows. " * 60)
# A PDF heavy to make: a wide table of many rows.
row = "| " + " | ".join(f"c{i}" for i in range(60)) + " |"
table = "\\n".join([row, "|" + " --- |" * 60] + [row] * 2000)
decision(HEAVY, "A heavy table", "mallory", context=table)
for number in FILLERS:
    decision(number, f"Decision {number}", "normal", context="Some context. " * 30)
"""


def prepare() -> None:
    env = {**os.environ, "DATABASE_URL": database_url()}
    url = env["DATABASE_URL"]
    if url.startswith("postgres"):
        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        for sql in (f"DROP DATABASE IF EXISTS {DB_NAME}", f"CREATE DATABASE {DB_NAME}"):
            subprocess.run(["psql", admin, "-q", "-c", sql], check=True)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    constants = (
        f"WS, PASSWORD = {WS!r}, {PASSWORD!r}\n"
        f"NORMAL, COMMENTED, DIFFED, IMAGE, IMAGE_TARGET, HEAVY = "
        f"{NORMAL}, {COMMENTED}, {DIFFED}, {IMAGE}, {IMAGE_TARGET}, {HEAVY}\n"
        f"FILLERS = range({FILLERS.start}, {FILLERS.stop})\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-v", "0", "-c", constants + SEED],
        cwd=ROOT,
        env={**env, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
        check=True,
    )


# --- The server, as the Dockerfile runs it --------------------------------------------------


def dockerfile_gunicorn(port: int) -> tuple[list[str], int]:
    """The Dockerfile's gunicorn arguments, bound to 127.0.0.1:port; and its timeout."""
    cmd = re.search(r"^CMD\s+(\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), re.M)
    if not cmd:
        raise SystemExit("No CMD line in the Dockerfile")
    shell = json.loads(cmd[1])[-1]
    timeout = os.environ.get("GUNICORN_TIMEOUT", "30")
    shell = re.sub(r"\$\{GUNICORN_TIMEOUT:-\d+\}", timeout, shell).replace("${PORT}", str(port))
    words = shlex.split(shell.split("exec gunicorn", 1)[1].split("&&")[0])
    args, skip = [], False
    for word in words:
        if skip:
            skip = False
            continue
        # The access log is for an operator; here it would only bury the workers' messages.
        if word in ("--bind", "-b", "--access-logfile"):
            skip = True
            continue
        args.append(word)
    found = re.search(r"--timeout[ =](\d+)", " ".join(words))
    return ["--bind", f"127.0.0.1:{port}", *args], int(found[1]) if found else 30


@dataclass
class Server:
    gunicorn: subprocess.Popen
    workers: list[subprocess.Popen]
    log: Path
    command: list[str]
    timeout: int

    def replaced_workers(self) -> int:
        """Workers gunicorn booted after the first ones: each replaced one it killed."""
        return self.log.read_text(errors="replace").count("Booting worker")

    def timeouts(self) -> int:
        return self.log.read_text(errors="replace").count("WORKER TIMEOUT")

    def errors(self) -> int:
        """500s Django logged, including those whose client had already gone."""
        return self.log.read_text(errors="replace").count("Internal Server Error")

    def stop(self) -> None:
        for process in (self.gunicorn, *self.workers):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (self.gunicorn, *self.workers):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def serve(port: int) -> Server:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    args, timeout = dockerfile_gunicorn(port)
    command = [sys.executable, "-m", "gunicorn", *args]
    log = Path(tempfile.mkstemp(prefix="adroit-hostile-", suffix=".log")[1])
    with log.open("w") as out:
        gunicorn = subprocess.Popen(
            command, cwd=ROOT, env=env, stderr=out, stdout=out, start_new_session=True
        )
        # As `make run` does: board packs on a worker of their own.
        workers = [
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--queue-name", queue]
                + ["--no-startup-delay", "-v", "0"],
                cwd=ROOT,
                env=env,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            for queue in ("default", "packs")
        ]
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return Server(gunicorn, workers, log, command, timeout)
        except OSError:
            time.sleep(0.1)
    gunicorn.kill()
    for worker in workers:
        worker.kill()
    raise SystemExit("gunicorn did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Clients ---------------------------------------------------------------------------------

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client:
    """One browser: its cookies, its address; answers as (status, body)."""

    def __init__(self, port: int, address: str, timeout: float = 90) -> None:
        self.port, self.address, self.timeout = port, address, timeout
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=self.timeout, source_address=(self.address, 0)
        )
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            sent["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers={**sent, **(headers or {})})
            response = connection.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";")[0]
            text = response.read().decode("utf-8", "replace")
            location = response.getheader("Location") or ""
        except OSError:
            # A dropped connection: gunicorn killed the worker, or it never answered in time.
            return 599, ""
        finally:
            connection.close()
        return response.status, location if response.status in (301, 302, 303) else text

    def get(self, path: str, htmx: bool = False) -> tuple[int, str]:
        return self.request("GET", path, headers={"HX-Request": "true"} if htmx else None)

    def post(self, path: str, fields: dict) -> tuple[int, str]:
        return self.request(
            "POST",
            path,
            urlencode(fields, doseq=True).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    def token(self, path: str) -> str:
        _, page = self.get(path)
        found = TOKEN.search(page)
        return found[1] if found else ""

    def sign_in(self, username: str, password: str = PASSWORD, path: str = "/login/") -> int:
        token = self.token(path)
        status, _ = self.post(
            path, {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        return status

    def upload(self, name: str, data: bytes) -> tuple[int, str]:
        """The import form with one file, as a browser sends it (multipart)."""
        path = f"/w/{WS}/import/"
        boundary = uuid.uuid4().hex
        parts = [
            _part(boundary, 'name="csrfmiddlewaretoken"', self.token(path).encode()),
            _part(boundary, 'name="format"', b"auto"),
            _part(boundary, f'name="files"; filename="{name}"', data, "text/markdown"),
        ]
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(
            "POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


def _part(boundary: str, disposition: str, data: bytes, content_type: str = "") -> bytes:
    head = f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    return head.encode() + b"\r\n" + data + b"\r\n"


# --- The normal user -------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, status: int | str, seconds: float | None = None) -> None:
        with self.lock:
            if seconds is not None:
                self.latencies.append(seconds)
            key = f"{name} {status}"
            self.statuses[key] = self.statuses.get(key, 0) + 1

    def failures(self, allowed: frozenset[str] = frozenset()) -> list[str]:
        """5xx answers and dropped connections (599), but for the answers `allowed` names."""
        return [
            f"{key} × {n}"
            for key, n in self.statuses.items()
            if re.search(r" (5\d\d)$", key) and key not in allowed
        ]


def read_as_normal_user(client: Client, until: float) -> Tally:
    tally = Tally()
    pages = [
        ("decision page", f"/w/{WS}/{NORMAL}/", False),
        ("log", "/", False),
        ("review poll", f"/w/{WS}/{NORMAL}/review/", True),
    ]
    step = 0
    while time.monotonic() < until:
        name, path, htmx = pages[step % len(pages)]
        step += 1
        started = time.monotonic()
        status, _ = client.get(path, htmx=htmx)
        tally.add(name, status, time.monotonic() - started)
    return tally


def p95_ms(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) < 2:
        return round(values[0] * 1000, 1)
    return round(statistics.quantiles(values, n=20, method="inclusive")[18] * 1000, 1)


# --- The hostile requests --------------------------------------------------------------------
# Each kind: how many run at once, and one round of it (which records what it got). Rounds
# repeat until the time is up, with a short pause: someone retrying, not a flood of traffic.

PAUSE_S = 0.5

REDOS_LINE = b"# 1" + b" " * 150_000 + b"x\n\n## Context\n\nA heading line of 150 KB.\n"
LAUGHS_FILE = (
    b"---\n"
    b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    b"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    b"tags: *f\n"
    b"---\n# Laughs\n\n## Context and Problem Statement\n\nAliases.\n"
)
DEEP_FILE = b"---\ntags: " + b"[" * 3000 + b"]" * 3000 + b"\n---\n# Deep\n\n## Context\n\nNested.\n"
NUL_FILE = b"# Nul\n\n## Context and Problem Statement\n\nBefore\x00after.\n"


@dataclass
class Hostile:
    port: int
    clients: dict[str, Client]
    tally: Tally = field(default_factory=Tally)
    first: threading.Event = field(default_factory=threading.Event)

    def timed(self, name: str, call: Callable[[], tuple[int, str]]) -> tuple[int, str]:
        started = time.monotonic()
        status, text = call()
        self.tally.add(name, status, time.monotonic() - started)
        return status, text

    def import_file(self, name: str, data: bytes, confirm: bool = False) -> None:
        """Upload, open the preview the upload leads to, and confirm it when asked."""
        mallory = self.clients["mallory"]
        status, where = self.timed("upload", lambda: mallory.upload(name, data))
        if status != 302:
            return
        self.timed("preview", lambda: mallory.get(where))
        if confirm:
            token = mallory.token(where)
            self.timed(
                "confirm", lambda: mallory.post(where + "confirm/", {"csrfmiddlewaretoken": token})
            )

    def redos(self) -> None:
        self.import_file("0001-redos.md", REDOS_LINE)

    def yaml_aliases(self) -> None:
        # Once imported, the decision's page and poll are what everyone reads.
        first = not self.first.is_set()
        self.first.set()
        self.import_file(f"{LAUGHS:04d}-laughs.md", LAUGHS_FILE, confirm=first)
        mallory = self.clients["mallory"]
        self.timed("imported page", lambda: mallory.get(f"/w/{WS}/{LAUGHS}/"))
        self.timed("its poll", lambda: mallory.get(f"/w/{WS}/{LAUGHS}/review/", htmx=True))

    def brackets(self) -> None:
        mallory = self.clients["mallory"]
        page = f"/w/{WS}/{COMMENTED}/"
        if not self.first.is_set():
            self.first.set()
            token = mallory.token(page)
            self.timed(
                "comment",
                lambda: mallory.post(
                    page + "review/threads/",
                    {"csrfmiddlewaretoken": token, "section": "context", "body": "[" * 30_000},
                ),
            )
        self.timed("its page", lambda: mallory.get(page))
        self.timed("its poll", lambda: mallory.get(page + "review/", htmx=True))

    def diff(self) -> None:
        mallory = self.clients["mallory"]
        self.timed("diff", lambda: mallory.get(f"/w/{WS}/{DIFFED}/versions/diff/?a=1&b=2"))

    def image(self) -> None:
        """The reader opens the page; the browser then fetches each image on our own site."""
        reader = self.clients["reader"]
        status, page = self.timed("page", lambda: reader.get(f"/w/{WS}/{IMAGE}/"))
        for src in re.findall(r'<img[^>]*\ssrc="([^"]+)"', page):
            src = src.replace("&amp;", "&")
            path = urlsplit(src).path if src.startswith("http://127.0.0.1") else src
            if path.startswith("/"):
                self.timed("image", lambda path=path: reader.get(path))

    def heavy_pdf(self) -> None:
        """Download the PDF as its button does: where a GET answers with the button, press it."""
        mallory = self.clients["mallory"]
        path = f"/w/{WS}/{HEAVY}.pdf"
        status, page = self.timed("pdf page", lambda: mallory.get(path))
        token = TOKEN.search(page) if f'<form method="post" action="{path}"' in page else None
        if status == 200 and token:
            self.timed("pdf", lambda: mallory.post(path, {"csrfmiddlewaretoken": token[1]}))

    def deep(self) -> None:
        self.import_file("0950-deep.md", DEEP_FILE)

    def nul(self) -> None:
        self.import_file("0960-nul.md", NUL_FILE, confirm=True)

    def guesses(self) -> None:
        """20 wrong passwords for the normal user's account at once, half of them at the admin."""

        # One form fetched for its CSRF cookie and token, which both sign-in forms accept.
        stranger = Client(self.port, HOSTILE_ADDRESS)
        token = stranger.token("/login/")

        def guess(i: int) -> None:
            path = "/admin/login/" if i % 2 else "/login/"
            fields = {"username": "normal", "password": f"wrong-{i}", "csrfmiddlewaretoken": token}
            self.timed(path, lambda: stranger.post(path, fields))

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def big_upload(self) -> None:
        """A 300 MB Content-Length: the headers and a few KB, then the connection is closed."""
        mallory = self.clients["mallory"]
        path = f"/w/{WS}/import/"
        token = mallory.token(path)
        boundary = uuid.uuid4().hex
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Cookie: {'; '.join(f'{k}={v}' for k, v in mallory.cookies.items())}\r\n"
            f"Referer: http://127.0.0.1:{self.port}{path}\r\nX-CSRFToken: {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {300 * 2**20}\r\n\r\n"
        )
        first = _part(boundary, 'name="files"; filename="0001-big.md"', b"# Big\n" * 700)
        started = time.monotonic()
        status: int | str = "closed"
        with socket.create_connection(
            ("127.0.0.1", self.port), timeout=5, source_address=(HOSTILE_ADDRESS, 0)
        ) as raw:
            try:
                raw.sendall(head.encode() + first[:4096])
                # A server that refuses the size at once answers before the body comes.
                raw.settimeout(1)
                answer = raw.recv(64)
                if answer.startswith(b"HTTP/"):
                    status = int(answer.split()[1])
            except (TimeoutError, OSError):
                pass
        self.tally.add("300 MB upload", status, time.monotonic() - started)

    def board_packs(self) -> None:
        """One viewer queues three board packs of every decision, and waits for them."""
        victor = self.clients["victor"]
        page = f"/w/{WS}/exports/"
        status, html = victor.get(page)
        token = TOKEN.search(html)
        ids = re.findall(r'name="decisions" value="(\d+)"', html)
        jobs = []
        fields = {"csrfmiddlewaretoken": token[1] if token else "", "kind": "board_pack"}
        for _ in range(3):
            started = time.monotonic()
            status, where = victor.post(page + "start/", {**fields, "decisions": ids})
            # Queued, the answer leads to the job's page; refused, back to the exports page.
            queued = status == 302 and re.search(r"/exports/\d+/$", where)
            name = "queued" if queued else "refused" if status == 302 else "queue"
            self.tally.add(name, status, time.monotonic() - started)
            if queued:
                jobs.append(where)
        deadline = time.monotonic() + 120
        while jobs and time.monotonic() < deadline and not STOP.is_set():
            time.sleep(1)
            for job in list(jobs):
                status, state = job_state(victor, job)
                if status != 200 or state in FINISHED:
                    self.tally.add(f"board pack {state or ''}".strip(), status)
                    jobs.remove(job)


FINISHED = ("Ready", "Failed")


def job_state(client: Client, job: str) -> tuple[int, str]:
    status, html = client.get(job)
    found = re.search(r'class="job-state">([^<:]+)', html)
    return status, found[1].strip() if found else ""


def export_wait(client: Client, limit: float = 180) -> float | None:
    """Seconds from asking for a zip of the log to its being ready (None: not within limit)."""
    page = f"/w/{WS}/exports/"
    token = client.token(page)
    started = time.monotonic()
    status, job = client.post(
        page + "start/", {"csrfmiddlewaretoken": token, "kind": "zip", "format": "madr"}
    )
    if status != 302:
        return None
    while time.monotonic() - started < limit:
        status, state = job_state(client, job)
        if status != 200 or state == "Failed":
            return None
        if state == "Ready":
            return round(time.monotonic() - started, 1)
        time.sleep(0.25)
    return None


KINDS: dict[str, tuple[str, int, Callable[[Hostile], None]]] = {
    "redos": ("a 150 KB `#` heading line uploaded to import, 3 at once", 3, Hostile.redos),
    "yaml": (
        "YAML aliases (246 bytes, 531,441 strings) imported, then its page and poll",
        1,
        Hostile.yaml_aliases,
    ),
    "brackets": ("a 30,000-`[` comment, then its page and poll", 1, Hostile.brackets),
    "diff": ("the diff of two 400-line versions, 3 characters changed per line", 1, Hostile.diff),
    "image": ("an `<img>` to a PDF download, opened by a reader", 1, Hostile.image),
    "pdf": ("a heavy PDF (a 60 × 2,000 table), from its download button", 1, Hostile.heavy_pdf),
    "deep": ("front matter nested 3,000 brackets deep, uploaded", 1, Hostile.deep),
    "nul": ("a NUL byte in an imported file", 1, Hostile.nul),
    "upload": ("a 300 MB Content-Length, a few KB sent, then closed", 1, Hostile.big_upload),
    # Late: it may lock the hostile address out of signing in, which no kind after it needs.
    "guesses": ("20 parallel wrong passwords (site and admin sign-in)", 1, Hostile.guesses),
    # Last: board packs still queued when its time is up keep the background worker busy.
    "boardpacks": ("3 board packs of every decision queued by one viewer", 1, Hostile.board_packs),
}
STOP = threading.Event()
# The one 5xx that is an answer, not a failure: the PDF's time cap gives up with the clear
# "could not render" page (503) before gunicorn would kill the worker.
ALLOWED = {"pdf": frozenset({"pdf 503", "pdf page 503"})}


def run_hostile(hostile: Hostile, kind: str, concurrency: int) -> list[threading.Thread]:
    action = KINDS[kind][2]

    def loop() -> None:
        while not STOP.is_set():
            action(hostile)
            STOP.wait(PAUSE_S)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    return threads


# --- One run ---------------------------------------------------------------------------------


def measure(
    port: int, server: Server, normal: Client, clients: dict, kind: str, alone: float, beside: float
) -> dict:
    title, concurrency, _ = KINDS[kind]
    without = read_as_normal_user(normal, time.monotonic() + alone)
    exports: dict[str, float | None] = {}
    if kind == "boardpacks":
        # Board packs delay everyone's exports: the normal user's own export, without and with.
        exporter = Client(port, NORMAL_ADDRESS, timeout=server.timeout + 30)
        exporter.cookies = dict(normal.cookies)
        exports["alone"] = export_wait(exporter)
    replaced, timeouts, errors = server.replaced_workers(), server.timeouts(), server.errors()
    STOP.clear()
    hostile = Hostile(port, clients)
    threads = run_hostile(hostile, kind, concurrency)
    # Let the hostile request start before the normal user's clock runs.
    time.sleep(0.2)
    if exports:
        waiter = threading.Thread(
            target=lambda: exports.__setitem__("beside", export_wait(exporter)), daemon=True
        )
        waiter.start()
    with_it = read_as_normal_user(normal, time.monotonic() + beside)
    STOP.set()
    if exports:
        waiter.join(timeout=200)
    # Requests still in flight finish (or gunicorn's timeout ends them) before the next kind.
    deadline = time.monotonic() + server.timeout + 15
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))
    settle(normal, p95_ms(without.latencies) or 500)
    # A worker gunicorn timed out is killed even when its replacement has not booted yet.
    killed = max(server.replaced_workers() - replaced, server.timeouts() - timeouts)
    logged = server.errors() - errors
    notes = []
    if logged:
        notes.append(f"{logged} server error(s) logged (500)")
    if exports:
        alone_s, beside_s = exports.get("alone"), exports.get("beside")
        # The worker looks for jobs every second or so: a few seconds of slack on top of 2×.
        if alone_s is None or beside_s is None or beside_s > 2 * alone_s + 5:
            notes.append(f"the normal user's export waited {beside_s} s (alone: {alone_s} s)")
    if kind == "guesses":
        # The guesses named the normal user: a lockout they can cause for her is a failure too.
        fresh = Client(port, NORMAL_ADDRESS)
        status = fresh.sign_in("normal")
        hostile.tally.add("normal user signs in afterwards", status)
        if status != 302:
            notes.append(f"the normal user could not sign in afterwards ({status})")
    before, after = p95_ms(without.latencies), p95_ms(with_it.latencies)
    ratio = round(after / before, 2) if before and after else None
    failures = [f"normal user: {f}" for f in without.failures() + with_it.failures()]
    failures += [f"hostile: {f}" for f in hostile.tally.failures(ALLOWED.get(kind, frozenset()))]
    if killed:
        failures.append(
            f"{killed} worker(s) killed and replaced"
            f" ({server.timeouts() - timeouts} at gunicorn's {server.timeout} s timeout)"
        )
    if ratio is None or ratio >= 2:
        failures.append(f"p95 ratio {ratio} (must stay under 2)")
    failures += notes
    return {
        "kind": kind,
        "attack": title,
        "concurrency": concurrency,
        "p95_alone_ms": before,
        "p95_beside_ms": after,
        "ratio": ratio,
        "normal_requests": [len(without.latencies), len(with_it.latencies)],
        "normal_slowest_ms": round(max(with_it.latencies, default=0) * 1000, 1),
        "normal_statuses": dict(sorted(with_it.statuses.items())),
        "hostile_statuses": dict(sorted(hostile.tally.statuses.items())),
        "hostile_slowest_ms": round(max(hostile.tally.latencies, default=0) * 1000, 1),
        "workers_killed": killed,
        "server_errors_logged": logged,
        **({"normal_export_wait_s": exports} if exports else {}),
        "failures": failures,
        "passed": not failures,
    }


def settle(client: Client, p95_alone: float, limit: float = 60) -> None:
    """Wait for the server to be as it was: workers killed are replaced and load their app first.

    Otherwise the next kind's "alone" would measure this kind's aftermath.
    """
    fast, until = 0, time.monotonic() + limit
    while fast < 3 and time.monotonic() < until:
        started = time.monotonic()
        status, _ = client.get("/")
        quick = time.monotonic() - started < max(0.5, 1.5 * p95_alone / 1000)
        fast = fast + 1 if status == 200 and quick else 0


def markdown_table(result: dict) -> str:
    lines = [
        "| attack | at once | p95 alone ms | p95 beside ms | ratio | hostile answers"
        " | slowest hostile | workers killed | result |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for k in result["kinds"]:
        answers = ", ".join(f"{s} × {n}" for s, n in k["hostile_statuses"].items())
        lines.append(
            f"| {k['attack']} | {k['concurrency']} | {k['p95_alone_ms']:,} |"
            f" {k['p95_beside_ms']:,} | {k['ratio']} | {answers} |"
            f" {k['hostile_slowest_ms'] / 1000:,.1f} s | {k['workers_killed']} |"
            f" {'PASS' if k['passed'] else '**FAIL**'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated, in order")
    parser.add_argument("--alone", type=float, default=10, help="seconds without, per kind")
    parser.add_argument("--beside", type=float, default=15, help="seconds beside, per kind")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the JSON file to append to")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise SystemExit(f"Unknown kinds {sorted(unknown)}; choose from {', '.join(KINDS)}")
    # Stopped from outside, still stop the server and the worker (they run in their own sessions).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    prepare()
    port = free_port()
    server = serve(port)
    kinds_done = []
    try:
        normal = Client(port, NORMAL_ADDRESS, timeout=server.timeout + 30)
        clients = {
            name: Client(port, HOSTILE_ADDRESS, timeout=server.timeout + 30)
            for name in ("mallory", "reader", "victor")
        }
        for name, client in [("normal", normal), *clients.items()]:
            if client.sign_in(name) != 302:
                raise SystemExit(f"{name} could not sign in")
        for kind in kinds:
            print(f"{kind}: {KINDS[kind][0]} …", file=sys.stderr, flush=True)
            kinds_done.append(measure(port, server, normal, clients, kind, args.alone, args.beside))
            k = kinds_done[-1]
            print(
                f"  p95 {k['p95_alone_ms']} -> {k['p95_beside_ms']} ms (×{k['ratio']}),"
                f" hostile {k['hostile_statuses']}, {'PASS' if k['passed'] else 'FAIL'}"
                + "".join(f"\n    {failure}" for failure in k["failures"]),
                file=sys.stderr,
                flush=True,
            )
    finally:
        server.stop()
    result = {
        "name": "hostile",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database_url().startswith("postgres") else "sqlite",
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "gunicorn": " ".join(server.command[3:]),
        "seconds_alone": args.alone,
        "seconds_beside": args.beside,
        "load_average": os.getloadavg(),
        "kinds": kinds_done,
    }
    server.log.unlink(missing_ok=True)
    history = json.loads(args.results.read_text()) if args.results.exists() else []
    history.append(result)
    args.results.write_text(json.dumps(history, indent=2) + "\n")
    print(markdown_table(result))
    failed = [k for k in kinds_done if not k["passed"]]
    for k in failed:
        print(f"FAILED: {k['kind']}: {'; '.join(k['failures'])}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
