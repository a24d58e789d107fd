"""`make bench`: seed N decisions, serve them as in production, load them, and compare with limits.

For each N (100, 1,000, 10,000) it adds decisions to a bench database, starts gunicorn (DEBUG off,
a free port on 127.0.0.1) and runs locust headless from a second process for BENCH_SECONDS (30 by
default) per scenario. Each user alternates a scenario request with a request of the floor (a
trivial page of the decision page's size, through the same server), and each scenario's ratio
is to the floor of those same seconds. Then PDF and Markdown work beside WeasyPrint and
python-markdown alone. It writes bench/results/latest.json, a dated copy, and this database's
table in docs/benchmarks.md. Nothing here runs in `make test`.

    make bench                                   # SQLite, bench/bench.sqlite3
    BENCH_SECONDS=5 make bench                   # a quick look
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/adroit_bench make bench
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402 - after the path is set

BIN = Path(sys.executable).parent
SQLITE_FILE = ROOT / "bench" / "bench.sqlite3"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- The database ---------------------------------------------------------------------------


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_FILE}"


def fresh_database(url: str) -> str:
    """Start from an empty bench database; returns "sqlite" or "postgresql"."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.startswith("postgres"):
        name = parts.path.lstrip("/")
        if "bench" not in name:
            sys.exit(
                f"Refusing to drop the database {name!r}: make bench recreates its database, so "
                "its name must contain 'bench' (e.g. .../adroit_bench)."
            )
        import psycopg

        server = {
            "host": parts.hostname or "localhost",
            "port": parts.port or 5432,
            "user": urllib.parse.unquote(parts.username or ""),
            "password": urllib.parse.unquote(parts.password or ""),
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
        return "postgresql"
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return "sqlite"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- The machine ----------------------------------------------------------------------------


def machine(args) -> dict:
    import django
    import gunicorn

    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    try:
        from importlib.metadata import version

        locust_version = version("locust")
    except Exception:  # noqa: BLE001 - only informative
        locust_version = "?"
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_mb": memory_kb // 1024,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "locust": locust_version,
        "server": f"gunicorn, {args.workers} sync workers, DEBUG off, cache: "
        + (
            "a private redis-server (REDIS_URL)"
            if shutil.which("redis-server") and os.environ.get("BENCH_REDIS", "1") != "0"
            else "local memory per worker"
        ),
        "load": f"locust, {args.users} users without pauses, {args.seconds:g} s per scenario",
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }


# --- The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as docker-compose runs it, on a free port, with the floor page on."""

    def __init__(self, url: str, workers: int, log: Path, redis_url: str = ""):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=url, DEBUG="0", ADROIT_BENCH="1", PYTHONUNBUFFERED="1")
        if redis_url:
            env["REDIS_URL"] = redis_url
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/login/", timeout=5).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    sys.exit(f"gunicorn stopped at start; see {log}")
                time.sleep(0.3)
        sys.exit(f"gunicorn did not answer within 60 s; see {log}")

    def peak_memory_mb(self) -> float:
        """The sum of the peak resident memory (VmHWM) of the master and every worker."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total_kb = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM"):
                        total_kb += int(line.split()[1])
            except FileNotFoundError:
                continue
        return round(total_kb / 1024, 1)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Browser:
    """A signed-in client for warming up and sizing pages (not timed)."""

    def __init__(self, base: str, username: str, password: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.get("/login/")
        token = CSRF_FIELD.search(page.decode()).group(1)
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        self.opener.open(self.base + "/login/", data=data, timeout=60).read()

    def get(self, path: str) -> bytes:
        return self.opener.open(self.base + path, timeout=120).read()


# --- Scenarios ------------------------------------------------------------------------------


def page_sample(count: int) -> list[tuple[str, int]]:
    from apps.decisions.models import Decision
    from bench.seed import WORKSPACES

    keys = list(
        Decision.objects.filter(workspace__slug__in=[s for s, _ in WORKSPACES]).values_list(
            "workspace__slug", "number"
        )
    )
    random.Random(7).shuffle(keys)
    return keys[:count]


def draft_targets(count: int, skip: int = 0) -> list:
    from apps.decisions.models import Decision
    from bench.seed import WORKSPACES

    return list(
        Decision.objects.filter(workspace__slug__in=[s for s, _ in WORKSPACES], status="draft")
        .select_related("workspace")
        .prefetch_related("scenarios")
        .order_by("id")[skip : skip + count]
    )


def scenarios(n: int, users: int, first: bool) -> list[dict]:
    """The plans for locust at this N; a plan with "missing" is reported, not run."""

    sample = page_sample(200)
    plans = [
        {"name": "log", "requests": [{"path": "/"}]},
        {"name": "filtered log", "requests": [{"path": "/?workspace=payments"}]},
    ]
    search = search_url()
    if search:
        plans.append(
            {
                "name": "search",
                "requests": [
                    {"path": f"{search}?q={urllib.parse.quote_plus(w)}"} for w in SEARCH_WORDS
                ],
            }
        )
    else:
        plans.append({"name": "search", "missing": "no search URL yet (apps/search has none)"})
    plans.append(
        {
            "name": "decision page",
            "requests": [{"path": f"/w/{slug}/{number}/"} for slug, number in sample],
        }
    )
    plans.append(
        {
            "name": "markdown download",
            "requests": [{"path": f"/w/{slug}/{number}.md"} for slug, number in sample],
        }
    )
    if first:
        plans.append(
            {
                "name": "pdf download",
                "kind": "download",
                "requests": [{"path": f"/w/{slug}/{number}.pdf"} for slug, number in sample],
            }
        )
    if n > 1000:
        return plans  # writes cost the same at every N; 10,000 measures pages and search only
    plans += edit_plans(users)
    return plans


def search_url() -> str:
    """apps/search's page: `search:search`, else its first URL that takes no argument."""
    from django.urls import NoReverseMatch, reverse

    from apps.search import urls

    names = ["search"] + [p.name for p in urls.urlpatterns if getattr(p, "name", None)]
    for name in names:
        try:
            return reverse(f"search:{name}")
        except NoReverseMatch:
            continue
    return ""


# From rare to common in the seed (its prose has the ADR corpus's word frequencies, its teams,
# products and qualities are each decision's own). Share of the documents each is in, counted at
# 10,000: envoy, vault, checkout 15-16 %; event sourcing 21 %; latency 26 %; compliance 29 %;
# postgresql 31 %; kafka 34 %; message 94 %. At 1,000 most stop short of the candidate cap, at
# 10,000 all reach it.
SEARCH_WORDS = [
    "kafka",
    "latency",
    "postgresql",
    "checkout",
    "vault",
    "compliance",
    "envoy",
    "message",
    "event sourcing",
]


def edit_plans(users: int) -> list[dict]:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("authoring:save_row", args=["x", 1, "scenario", 1])
        reverse("authoring:save_part", args=["x", 1, "problem"])
    except NoReverseMatch as error:
        reason = f"no authoring URL yet: {error}"
        return [
            {"name": "in-place edit", "missing": reason},
            {"name": "save", "missing": reason},
        ]
    edits = []
    for d in draft_targets(users):
        row = d.scenarios.all()[0]
        key = f"scenario-{row.pk}"
        edits.append(
            {
                "page": reverse("authoring:step", args=[d.workspace.slug, d.number, "scenarios"]),
                "path": reverse(
                    "authoring:save_row", args=[d.workspace.slug, d.number, "scenario", row.pk]
                ),
                "data": {
                    f"{key}-title": row.title,
                    f"{key}-description": row.description,
                    f"{key}-choose_when": row.choose_when,
                },
                "vary": f"{key}-description",
                "revision": d.revision,
            }
        )
    saves = [
        {
            "page": reverse("authoring:step", args=[d.workspace.slug, d.number, "problem"]),
            "path": reverse("authoring:save_part", args=[d.workspace.slug, d.number, "problem"]),
            "data": {
                "title": d.title,
                "context": d.context,
                "overview": d.overview,
                "drivers": d.drivers,
            },
            "vary": "context",
            "revision": d.revision,
        }
        for d in draft_targets(users, skip=users)
    ]
    return [
        {"name": "in-place edit", "per_user": edits, "method": "POST"},
        {"name": "save", "per_user": saves, "method": "POST"},
    ]


def warm_up(browser: Browser, plan: dict, every: bool = False) -> int:
    """A few untimed requests so each worker has loaded its code; returns the mean page size.

    `every`: each distinct page once, so the run measures pages read again (as a team reads its
    decisions), not each page's first rendering after the seed: the cache is shared by the
    workers (Redis, as in production), so once is enough.
    """
    steps = (plan["requests"] * 8)[:8]
    if every:
        steps = list({step["path"]: step for step in plan["requests"]}.values())
    sizes = [len(browser.get(step["path"])) for step in steps]
    return sum(sizes) // len(sizes)


class Redis:
    """A private redis-server on a free port, the cache the workers share (REDIS_URL), as
    production runs with one; none when redis-server is not installed or BENCH_REDIS=0."""

    def __init__(self, workdir: Path):
        self.process = None
        self.url = ""
        binary = shutil.which("redis-server")
        if not binary or os.environ.get("BENCH_REDIS", "1") == "0":
            return
        port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                self.url = f"redis://127.0.0.1:{port}/0"
                return
            except OSError:
                time.sleep(0.1)
        self.stop()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


# Signing in (PBKDF2, on purpose slow) took 5-10 s on a loaded machine, so locust runs this much
# longer than the measured window; each scenario times BENCH_SECONDS from its first timed request.
SIGN_IN_SECONDS = float(os.environ.get("BENCH_SIGN_IN_SECONDS", 15))


def run_locust(server: Server, plan: dict, args, workdir: Path) -> dict:
    from bench.seed import PASSWORD, USERNAME

    out = workdir / "times.json"
    out.unlink(missing_ok=True)
    plan_file = workdir / "plan.json"
    plan_file.write_text(
        json.dumps(
            {
                **plan,
                "expect": plan.get("expect", 200),
                "seconds": args.seconds,
                "username": USERNAME,
                "password": PASSWORD,
                "out": str(out),
            }
        )
    )
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{args.seconds + SIGN_IN_SECONDS:g}s",
        "--host",
        server.base,
        "--only-summary",
        "--loglevel",
        "ERROR",
        "--stop-timeout",
        "0",
    ]
    with (workdir / "locust.log").open("ab") as log:
        subprocess.run(
            command,
            env=dict(os.environ, BENCH_PLAN=str(plan_file)),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=args.seconds + SIGN_IN_SECONDS + 120,
            check=False,
        )
    if not out.exists():
        tail = (workdir / "locust.log").read_text()[-3000:]
        sys.exit(f"locust wrote no times for {plan['name']!r}:\n{tail}")
    return json.loads(out.read_text())


def measure(server: Server, plan: dict, n: int, args, workdir: Path) -> dict:
    """One scenario's row, with its ratio to the floor measured in the same seconds when the
    plan names one (each user alternates the two; bench/locustfile.py)."""
    row = report.scenario_row(plan, n, run_locust(server, plan, args, workdir))
    print(
        f"  {plan['name']:<20} p50 {row['p50_ms']} ms  p95 {row['p95_ms']} ms  "
        f"{row['rps']} rps  {row['errors']} errors"
        + (f"  (floor beside it: p95 {row['floor_p95_ms']} ms)" if plan.get("floor") else ""),
        flush=True,
    )
    return row


def bench_size(url: str, n: int, args, workdir: Path, first: bool) -> tuple[list[dict], float]:
    from django.db import connections

    from bench.seed import PASSWORD, USERNAME

    plans = scenarios(n, args.users, first)
    connections.close_all()
    redis = Redis(workdir)
    server = Server(url, args.workers, workdir / "gunicorn.log", redis.url)
    try:
        browser = Browser(server.base, USERNAME, PASSWORD)
        page = next(p for p in plans if p["name"] == "decision page")
        size = warm_up(browser, page)
        floor = {
            "name": "floor",
            "kind": "floor",
            "requests": [{"path": f"/bench/floor/?bytes={size}"}],
        }
        warm_up(browser, floor)
        print(f"N={n:,}: decision pages are {size:,} bytes; the floor is as big", flush=True)
        # The floor alone, for reference; each scenario's ratio is to the floor measured beside
        # it, in the same seconds, so that a machine whose load changes between scenarios (a
        # shared one) moves both sides of the ratio.
        floor_row = measure(server, floor, n, args, workdir)
        rows = [report.with_floor(floor_row, floor_row["p95_ms"])]
        floor_path = floor["requests"][0]["path"]
        only = {name.strip() for name in args.only.split(",") if name.strip()}
        for plan in plans:
            if only and plan["name"] not in only:
                continue
            if plan.get("missing"):
                print(f"  {plan['name']:<20} missing: {plan['missing']}", flush=True)
                rows.append(report.missing(plan["name"], n, plan["missing"]))
                continue
            if plan.get("requests"):
                warm_up(browser, plan, every=plan.get("kind", "page") == "page")
            rows.append(measure(server, {**plan, "floor": floor_path}, n, args, workdir))
        return rows, server.peak_memory_mb()
    finally:
        server.stop()
        redis.stop()


def offline(work: str, args, workdir: Path, **options) -> dict:
    command = [str(BIN / "python"), "-m", "bench.offline", work]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        (workdir / f"{work}.log").write_text(done.stdout + done.stderr)
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"
        return {"results": [report.missing(f"{work}", None, f"failed: {reason}")], "memory": {}}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 30)))
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES", "100,1000,10000"),
        help="N, comma separated",
    )
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", 3)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 3)))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--only", default="", help="scenario names, comma separated (profiling)")
    parser.add_argument("--skip-offline", action="store_true", help="no PDF and Markdown work")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())

    given = os.environ.get("DATABASE_URL")
    url = database_url()
    database = fresh_database(url)
    setup_django(url)
    from bench.seed import seed

    info = machine(args)
    started = time.monotonic()
    results, memory, seeding = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="adroit-bench-") as folder:
        workdir = Path(folder)
        for k, n in enumerate(sizes):
            t = time.monotonic()
            seed(n)
            seeding[str(n)] = round(time.monotonic() - t, 1)
            print(f"N={n:,}: seeded in {seeding[str(n)]} s", flush=True)
            rows, peak = bench_size(url, n, args, workdir, first=k == 0)
            results += rows
            memory[f"server at N={n:,} (gunicorn master + workers, VmHWM)"] = peak
            # Written after each N too, so a run stopped later keeps what it measured.
            write(args, info, database, given, started, seeding, memory, results, {})
        parts = []
        if not args.skip_offline:
            print("PDF: one decision beside WeasyPrint alone, and a board pack", flush=True)
            parts.append(offline("pdf", args, workdir, repeats=7, pack=50))
            print("Markdown: export and import beside python-markdown alone", flush=True)
            parts.append(offline("markdown", args, workdir, n=min(1000, sizes[-1]), repeats=3))
        for part in parts:
            results += part["results"]
            memory.update(part["memory"])
            for row in part["results"]:
                print(f"  {row['name']}: p50 {row['p50_ms']} ms, ratio {row['ratio']}", flush=True)
        logs = {
            name: (workdir / name).read_text()[-4000:]
            for name in ("gunicorn.log",)
            if (workdir / name).exists()
        }
    write(args, info, database, given, started, seeding, memory, results, logs)


def write(args, info, database, given, started, seeding, memory, results, logs) -> None:
    info["load_after"] = [round(x, 2) for x in os.getloadavg()]
    command = "make bench"
    # Options make bench does not pass: the run was bench/run.py with them.
    options = [f"--sizes {args.sizes}"] if args.sizes != "100,1000,10000" else []
    options += [f"--only '{args.only}'"] if args.only else []
    options += ["--skip-offline"] if args.skip_offline else []
    if options:
        command = " ".join([".venv/bin/python bench/run.py", *options])
    if given:
        command = f"DATABASE_URL={given} {command}"
    if args.seconds != 30:
        command = f"BENCH_SECONDS={args.seconds:g} {command}"
    result = {
        "machine": info,
        "database": database,
        "date": date.today().isoformat(),
        "command": command,
        "seconds_per_scenario": args.seconds,
        "seeding_seconds": seeding,
        "total_seconds": round(time.monotonic() - started),
        "memory": {k: v for k, v in memory.items()},
        "results": results,
    }
    if any(r.get("errors") for r in results):
        result["server_log_tail"] = logs.get("gunicorn.log", "")
    latest, dated = report.write_results(result, args.out)
    report.update_doc(args.doc, result)
    print(f"Wrote {latest}, {dated} and {args.doc}", flush=True)


if __name__ == "__main__":
    main()
