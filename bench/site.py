"""`make bench-site`: the static site of 1,000 decisions beside log4brains 1.1's `build`.

    python bench/site.py                    # 1,000 decisions; log4brains from .interop-cache/
    python bench/site.py --count 200        # a quicker look
    python bench/site.py --no-log4brains    # compare with log4brains' recorded figure instead

Loads `--count` generated decisions (bench/seed.py's `generate_record`, about two printed pages
each) into a throwaway SQLite database through the app's own `save_record` in one transaction,
as an import does (so the app queues a task that stores each new decision's rendered body when
it commits, `apps/publishing/receivers.py`, and the worker runs it; the seed's time includes
it), exports them as log4brains MADR
files, times `log4brains build` on those files (installed from the npm registry into
.interop-cache/, as `make interop` does) and `export_adrs --format site`'s builder on the same
decisions, on the same machine, one after the other:

* **first build, saved through the app**: no site built before, the bodies the app stored when
  it saved the decisions are there (a real workspace's first build);
* **first build from nothing**: nothing stored, every record loaded and every body rendered;
* **warm**: rebuilds with nothing changed; **after one edit**: a rebuild after one decision
  was edited (an autosave, which stores nothing: that body is rendered by the build).

Each is timed in wall-clock seconds and in CPU seconds (this process and its children). Without
node or the registry, the comparison is with the figure recorded when the issue was filed
(138-173 s for 1,000 files), and the result says so.
Results go to bench/results/site-<date>.json, or to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / ".interop-cache"
RECORDED = (138.0, 173.0)  # log4brains 1.1 build, 1,000 MADR files, as recorded in issue 20
TARGET_RATIO = 100


def log4brains_binary(explicit: str | None) -> Path | None:
    for candidate in (explicit, CACHE / "node_modules" / ".bin" / "log4brains"):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    if not shutil.which("npm"):
        return None
    CACHE.mkdir(exist_ok=True)
    shutil.copy(ROOT / "interop" / "package.json", CACHE / "package.json")
    print("Installing log4brains 1.1 with npm into .interop-cache/ ...", flush=True)
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--cache", str(CACHE / "npm-cache")],
        cwd=CACHE,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    binary = CACHE / "node_modules" / ".bin" / "log4brains"
    return binary if done.returncode == 0 and binary.exists() else None


def load(count: int, folder: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'site-bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from apps.decisions.building import save_record
    from apps.workspaces.models import Workspace
    from bench.seed import generate_record

    call_command("migrate", verbosity=0, interactive=False)
    workspace = Workspace.objects.create(slug="bench-site", name="Site bench")
    with transaction.atomic():
        for i in range(1, count + 1):
            record = generate_record(i)
            record.relations = []  # numbers of another workspace's decisions
            save_record(workspace, record, number=i)
    # The app stores the bodies in a background task queued on commit: the worker runs it here,
    # as `make run`'s worker would, and its time counts as the seed's.
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    return workspace


def time_log4brains(binary: Path, workspace, folder: Path) -> dict:
    from django.core.management import call_command

    project = folder / "log4brains"
    adr = project / "docs" / "adr"
    call_command("export_adrs", out=adr, format="log4brains", workspace=workspace.slug, verbosity=0)
    (project / ".log4brains.yml").write_text(
        "project:\n  name: Site bench\n  tz: Etc/UTC\n  adrFolder: ./docs/adr\n"
    )
    files = len(list(adr.glob("*.md")))
    env = {**os.environ, "NEXT_TELEMETRY_DISABLED": "1", "CI": "true"}
    started, cpu = time.perf_counter(), cpu_seconds()
    done = subprocess.run(
        [str(binary), "build", "--out", str(project / "site")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    if done.returncode != 0:
        raise SystemExit(f"log4brains build failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    # CPU seconds too: on a shared machine they say more than the wall clock (node's own
    # children included, as ours are).
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "files": files,
        "measured": True,
    }


def cpu_seconds() -> float:
    """CPU time of this process and of the children it waited for (the body renderers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def time_site(workspace, folder: Path, runs: int) -> dict:
    """First builds (saved through the app, then from nothing), rebuilds with nothing changed
    (warm), and a rebuild after one edit; the bodies each rendered, counted from the store."""
    from apps.decisions.models import Decision
    from apps.publishing.models import SitePage, StoredBody
    from apps.publishing.site import write_site

    builds: dict[str, list[dict]] = {}

    def build(name: str) -> list[Path]:
        since = datetime.now(UTC)
        started, cpu = time.perf_counter(), cpu_seconds()
        written = write_site(workspace, folder / f"site-{name}-{len(builds.get(name, []))}")
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        rendered = StoredBody.objects.filter(created_at__gte=since).count()
        figures = {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3)}
        builds.setdefault(name, []).append({**figures, "bodies_rendered": rendered})
        return written

    SitePage.objects.all().delete()
    stored = StoredBody.objects.count()
    build("first_saved_through_app")
    SitePage.objects.all().delete()
    StoredBody.objects.all().delete()
    build("first_from_nothing")
    for _ in range(max(runs - 1, 2)):
        build("warm")
    edited = Decision.objects.filter(workspace=workspace).order_by("number").first()
    edited.context += "\n\nEdited after the first builds."
    edited.save()
    written = build("after_one_edit")
    size = sum(p.stat().st_size for p in written)

    def median(name: str, what: str) -> float:
        return round(statistics.median(b[what] for b in builds[name]), 3)

    return {
        "bodies_stored_by_the_seed": stored,
        **{f"{name}_seconds": median(name, "seconds") for name in builds},
        **{f"{name}_cpu_seconds": median(name, "cpu_seconds") for name in builds},
        "builds": builds,
        "files": len(written),
        "megabytes": round(size / 1e6, 1),
    }


BUILDS = ("first_saved_through_app", "first_from_nothing", "warm", "after_one_edit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-log4brains", action="store_true")
    parser.add_argument("--log4brains", help="the log4brains binary (default: .interop-cache/)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="adroit-site-bench-") as tmp:
        folder = Path(tmp)
        started, cpu = time.perf_counter(), cpu_seconds()
        workspace = load(args.count, folder)
        seed = {
            "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(cpu_seconds() - cpu, 2),
        }
        print(f"{args.count} decisions saved through the app in {seed['seconds']} s", flush=True)
        ours = time_site(workspace, folder, args.runs)
        print(
            "Adroit site: " + ", ".join(f"{b} {ours[b + '_seconds']} s" for b in BUILDS),
            flush=True,
        )
        binary = None if args.no_log4brains else log4brains_binary(args.log4brains)
        if binary is not None:
            print("log4brains build ...", flush=True)
            theirs = time_log4brains(binary, workspace, folder)
        else:
            theirs = {"seconds": RECORDED[0], "range": list(RECORDED), "measured": False}
    ratios = {b: round(theirs["seconds"] / ours[f"{b}_seconds"], 1) for b in BUILDS}
    label = "measured side by side" if theirs["measured"] else "recorded figure (not run here)"
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}",
        "decisions": args.count,
        "seed_saved_through_app": seed,
        "adroit_site": ours,
        "log4brains_build": {**theirs, "label": label},
        "ratios": ratios,
        "target_ratio": TARGET_RATIO,
        "meets_target": {b: r >= TARGET_RATIO for b, r in ratios.items()},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"site-{datetime.now(UTC):%Y-%m-%d}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"log4brains build: {theirs['seconds']} s ({label}); Adroit: "
        + ", ".join(f"{b} {ours[b + '_seconds']} s ({ratios[b]:.0f}x)" for b in BUILDS)
        + f"; target {TARGET_RATIO}x -> {path}"
    )


if __name__ == "__main__":
    main()
