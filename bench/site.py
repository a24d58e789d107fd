"""`make bench-site`: the static site of 1,000 decisions beside log4brains 1.1's `build`.

    python bench/site.py                    # 1,000 decisions; log4brains from .interop-cache/
    python bench/site.py --count 200        # a quicker look
    python bench/site.py --no-log4brains    # compare with log4brains' recorded figure instead

Loads `--count` generated decisions (bench/seed.py's `generate_record`, about two printed pages
each) into a throwaway SQLite database, exports them as log4brains MADR files, times
`log4brains build` on those files (installed from the npm registry into .interop-cache/, as
`make interop` does) and `export_adrs --format site`'s builder on the same decisions, on the
same machine, one after the other: a first build (cold), rebuilds with nothing changed (warm)
and a rebuild after one decision was edited. Without node or the registry, the comparison is
with the figure recorded when the issue was filed (138-173 s for 1,000 files), and the result
says so.
Results go to bench/results/site-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
    started = time.perf_counter()
    done = subprocess.run(
        [str(binary), "build", "--out", str(project / "site")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"log4brains build failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return {"seconds": round(seconds, 2), "files": files, "measured": True}


def time_site(workspace, folder: Path, runs: int) -> dict:
    """The first build renders every page (cold); the next ones reuse the pages kept by their
    decision's key, as a rebuild with nothing changed does (warm); the last one follows an edit
    of one decision, as a rebuild after an acceptance does."""
    from apps.decisions.models import Decision
    from apps.publishing.models import SitePage
    from apps.publishing.site import write_site

    SitePage.objects.all().delete()

    def build(run: int) -> tuple[float, list[Path]]:
        started = time.perf_counter()
        written = write_site(workspace, folder / f"site-{run}")
        return time.perf_counter() - started, written

    times = [build(run)[0] for run in range(max(runs, 2))]
    edited = Decision.objects.filter(workspace=workspace).order_by("number").first()
    edited.context += "\n\nEdited after the first builds."
    edited.save()
    after_edit, written = build(runs)
    size = sum(p.stat().st_size for p in written)
    return {
        "cold_seconds": round(times[0], 3),
        "warm_seconds": round(statistics.median(times[1:]), 3),
        "after_one_edit_seconds": round(after_edit, 3),
        "runs": [round(t, 3) for t in [*times, after_edit]],
        "files": len(written),
        "megabytes": round(size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-log4brains", action="store_true")
    parser.add_argument("--log4brains", help="the log4brains binary (default: .interop-cache/)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="adroit-site-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        workspace = load(args.count, folder)
        print(f"{args.count} decisions loaded in {time.perf_counter() - started:.1f} s", flush=True)
        ours = time_site(workspace, folder, args.runs)
        print(
            f"Adroit site: cold {ours['cold_seconds']} s, warm {ours['warm_seconds']} s,"
            f" after one edit {ours['after_one_edit_seconds']} s",
            flush=True,
        )
        binary = None if args.no_log4brains else log4brains_binary(args.log4brains)
        if binary is not None:
            print("log4brains build ...", flush=True)
            theirs = time_log4brains(binary, workspace, folder)
        else:
            theirs = {"seconds": RECORDED[0], "range": list(RECORDED), "measured": False}
    cold = theirs["seconds"] / ours["cold_seconds"]
    warm = theirs["seconds"] / ours["warm_seconds"]
    edit = theirs["seconds"] / ours["after_one_edit_seconds"]
    label = "measured side by side" if theirs["measured"] else "recorded figure (not run here)"
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}",
        "decisions": args.count,
        "adroit_site": ours,
        "log4brains_build": {**theirs, "label": label},
        "ratio_cold": round(cold, 1),
        "ratio_warm": round(warm, 1),
        "ratio_after_one_edit": round(edit, 1),
        "target_ratio": TARGET_RATIO,
        # A rebuild (pages kept from the last build, one decision edited since) is what a team
        # publishing on every acceptance runs; the first build of all renders every body.
        "meets_target_rebuild": min(warm, edit) >= TARGET_RATIO,
        "meets_target_cold": cold >= TARGET_RATIO,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"site-{datetime.now(UTC):%Y-%m-%d}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"log4brains build: {theirs['seconds']} s ({label}); Adroit: cold {ours['cold_seconds']} s"
        f" ({cold:.0f}x), warm {ours['warm_seconds']} s ({warm:.0f}x), after one edit"
        f" {ours['after_one_edit_seconds']} s ({edit:.0f}x); target {TARGET_RATIO}x"
        f" -> {path.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
