"""Board packs beside their limits (issue 16): time against WeasyPrint alone, and peak memory.

    python bench/packs.py                 # both, as `make bench` runs it
    python bench/packs.py --pack 50 --big 200 --repeats 3

1. Time. The board pack users get (`apps.exports.packs.board_pack`: above
   ADROIT_PACK_SECTION_SIZE decisions, sections rendered one after another in capped child
   processes, our fetcher guarding every URL, then the cover and contents, the footers, and the
   join) against WeasyPrint alone on the same decisions' single HTML document with the same
   stylesheet and the same output (PDF/A-3u, tagged, the same attachments), in this process,
   with no fetcher and no child. Runs alternate, so a burst of load elsewhere hits both alike.
   Limit: 1.3x.
2. Memory. A 200-decision pack built in a fresh process, as the packs worker builds it; its peak
   resident memory and the largest peak of its render children, added up: the children run one
   at a time, each ending before the next starts, so that is the most alive at once. Limit:
   under 1 GiB.

Decisions come from bench/seed.py (about two printed pages each) in a throwaway SQLite database;
the accepted ones are frozen as version 1 with an approval, so the pack carries their Markdown.
Results go to bench/results/packs.json and docs/benchmarks.md, "Board packs".
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "packs.json"
RATIO_LIMIT = 1.3
MEMORY_LIMIT_MB = 1024


def _setup(database: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _seed(total: int) -> None:
    """`total` decisions in the first bench workspace, the accepted ones frozen as v1."""
    from django.core.management import call_command

    from apps.decisions.models import Decision
    from apps.versions.models import Version
    from bench.seed import WORKSPACES, bench_user, seed

    call_command("migrate", verbosity=0)
    seed(total * len(WORKSPACES))  # seed() deals decisions out over its workspaces in turn
    user, _ = bench_user()
    accepted = Decision.objects.filter(
        workspace__slug=WORKSPACES[0][0], status="accepted", versions__isnull=True
    )
    for decision in accepted.with_record():
        approval = {"reviewer": user.username, "name": "Bench User", "approved_at": "2026-01-05"}
        Version.freeze(decision, decision.to_record(), [approval], accepted_by="Bench User")


def _decisions(n: int):
    from apps.decisions.models import Decision
    from apps.exports.tasks import pack_decisions
    from bench.seed import WORKSPACES

    chosen = Decision.objects.filter(workspace__slug=WORKSPACES[0][0]).order_by("number")[:n]
    decisions = pack_decisions(
        Decision.objects.filter(pk__in=list(chosen.values_list("pk", flat=True)))
    )
    assert len(decisions) == n, f"only {len(decisions)} bench decisions"
    return decisions, decisions[0].workspace


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def time_pack(n: int, repeats: int) -> dict:
    from weasyprint import CSS, HTML

    from apps.core.pdf import write_options
    from apps.exports.packs import board_pack, pack_html, printed_decision

    decisions, workspace = _decisions(n)
    documents = [printed_decision(d, workspace.name) for d in decisions]
    html = pack_html(documents, workspace)
    attachments = tuple(a for doc in documents for a in doc.attachments())
    css = ROOT / "static" / "css" / "print.css"

    def ours() -> bytes:
        return board_pack(decisions, workspace, lambda done: None)

    def alone() -> bytes:
        return HTML(string=html, base_url=str(css)).write_pdf(
            stylesheets=[CSS(filename=str(css))], **write_options(attachments)
        )

    # Sections break pages as one document does: the two must come out the same length.
    pages = len(PdfReader(io.BytesIO(ours())).pages)
    alone_pages = len(PdfReader(io.BytesIO(alone())).pages)
    mine, base = [], []
    for _ in range(repeats):
        mine.append(_timed(ours))
        base.append(_timed(alone))
    ratio = statistics.median(mine) / statistics.median(base)
    return {
        "name": f"board pack of {n} decisions ({pages} pages)",
        "ours_s": [round(t, 2) for t in mine],
        "weasyprint_alone_s": [round(t, 2) for t in base],
        "weasyprint_alone_pages": alone_pages,
        "ratio": round(ratio, 2),
        "limit": RATIO_LIMIT,
        "ok": ratio <= RATIO_LIMIT and pages == alone_pages,
    }


def memory_child(n: int) -> None:
    """In a fresh process: build one pack, print the peaks as JSON."""
    from apps.exports.packs import board_pack

    decisions, workspace = _decisions(n)
    start = time.perf_counter()
    done: list[int] = []
    pdf = board_pack(decisions, workspace, done.append)
    seconds = time.perf_counter() - start
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The largest peak among the children waited for (getrusage(2)), not their sum.
    render_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    from django.conf import settings

    size = settings.ADROIT_PACK_SECTION_SIZE
    print(
        json.dumps(
            {"pages": pages, "seconds": seconds, "self": self_mb, "render": render_mb, "size": size}
        )
    )


def measure_memory(n: int, database: Path) -> dict:
    command = [sys.executable, __file__, "--memory-child", str(n), "--database", str(database)]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        return {
            "name": f"board pack of {n} decisions, peak memory",
            "ok": False,
            "error": run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "failed",
        }
    peaks = json.loads(run.stdout.strip().splitlines()[-1])
    total = peaks["self"] + peaks["render"]
    return {
        "name": f"board pack of {n} decisions ({peaks['pages']} pages), peak memory",
        "seconds": round(peaks["seconds"], 1),
        "worker_mb": round(peaks["self"], 1),
        "render_child_mb": round(peaks["render"], 1),
        "section_size": peaks["size"],
        "total_mb": round(total, 1),
        "limit_mb": MEMORY_LIMIT_MB,
        "ok": total < MEMORY_LIMIT_MB,
    }


def report(row: dict) -> str:
    if "error" in row:
        return f"{row['name']}: FAILED, {row['error']}"
    if "ratio" in row:
        ours, alone = statistics.median(row["ours_s"]), statistics.median(row["weasyprint_alone_s"])
        return (
            f"{row['name']}: ours {ours:.1f} s, WeasyPrint alone {alone:.1f} s, ratio "
            f"{row['ratio']} (limit {RATIO_LIMIT}) {'ok' if row['ok'] else 'OVER'}"
        )
    return (
        f"{row['name']}: {row['total_mb']:.0f} MB (worker {row['worker_mb']:.0f} + render "
        f"{row['render_child_mb']:.0f}; limit {MEMORY_LIMIT_MB}) in {row['seconds']} s "
        f"{'ok' if row['ok'] else 'OVER'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=int, default=50, help="decisions in the timed pack")
    parser.add_argument("--big", type=int, default=200, help="decisions in the memory pack")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", action="append", choices=["memory", "time"])
    parser.add_argument("--database", type=Path, help="keep the bench decisions in this file")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        _setup(args.database)
        memory_child(args.memory_child)
        return 0
    with tempfile.TemporaryDirectory(prefix="adroit-packs-") as folder:
        database = args.database or Path(folder) / "packs.sqlite3"
        _setup(database)
        _seed(max(args.pack, args.big))
        rows = []
        for step in args.only or ["memory", "time"]:
            row = measure_memory(args.big, database) if step == "memory" else None
            row = row or time_pack(args.pack, args.repeats)
            print(report(row), flush=True)
            rows.append(row)
    results = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "results": rows}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Wrote {RESULTS.relative_to(ROOT)}")
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
