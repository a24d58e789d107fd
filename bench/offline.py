"""The work users wait for outside a page: PDFs and Markdown, each beside its physical limit.

Run by bench/run.py in a process of its own (`python -m bench.offline pdf|markdown`), so the peak
memory it reports (ru_maxrss) is this work's alone. Prints one JSON object: results and memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Issue 17: an import that saves costs at most 1.5 times python-markdown alone on the same files.
IMPORT_RATIO = 1.5
# The same extensions apps.core.markdown uses, without our callouts and sanitiser: the baseline.
BASELINE_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "admonition"]


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _bench_decisions():
    from apps.decisions.models import Decision

    from .seed import WORKSPACES

    return Decision.objects.filter(workspace__slug__in=[s for s, _ in WORKSPACES])


def _timed(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _row(name: str, n: int, ours: list[float], base: list[float] | None, items: int, **extra):
    from .report import percentile

    p50 = statistics.median(ours)
    row = {
        "name": name,
        "n": n,
        "p50_ms": round(p50, 2),
        "p95_ms": round(percentile(ours, 95), 2),
        "p99_ms": round(percentile(ours, 99), 2),
        "rps": round(items / (p50 / 1000), 2),
        "errors": 0,
        "repeats": len(ours),
        "floor_p95_ms": None,
        "ratio": None,
        **extra,
    }
    if base:
        base_p50 = statistics.median(base)
        row.update(
            floor_p95_ms=round(percentile(base, 95), 2),
            baseline_p50_ms=round(base_p50, 2),
            ratio=round(p50 / base_p50, 2),
            ratio_basis="p50 of repeated runs",
        )
    return row


def _maxrss_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def pdf(repeats: int, pack: int) -> dict:
    from django.template.loader import render_to_string
    from weasyprint import CSS, HTML

    from apps.core.pdf import write_options
    from apps.decisions import rendering as render
    from apps.decisions.models import Decision

    # One workspace's decisions, as a board pack is made of.
    first = _bench_decisions().order_by("id").first()
    decisions = list(
        _bench_decisions()
        .filter(workspace_id=first.workspace_id)
        .with_record()
        .order_by("id")[: max(pack, 1)]
    )
    record = decisions[0].to_record()
    doc = render.printed_record(record)
    html = render_to_string("decisions/decision_pdf.html", {"doc": doc})
    css = ROOT / "static" / "css" / "print.css"

    def ours() -> bytes:
        return render.record_pdf(record)

    def alone() -> bytes:
        # WeasyPrint alone on the same final HTML and stylesheet, writing the same PDF/A-3u
        # (tagged): no fetcher, no child process.
        return HTML(string=html, base_url=str(css)).write_pdf(
            stylesheets=[CSS(filename=str(css))], **write_options()
        )

    ours(), alone()  # fonts and caches warm, as in a running server
    mine, base = [], []
    for _ in range(repeats):  # alternate, so a burst of load elsewhere hits both alike
        mine += _timed(ours, 1)
        base += _timed(alone, 1)
    rows = [
        _row(
            "pdf: one decision",
            1,
            mine,
            base,
            1,
            kind="pdf",
            baseline="WeasyPrint alone",
            pages_bytes=len(ours()),
        )
    ]
    from apps.exports.packs import board_pack

    # The board pack users get (apps.exports.packs, as the background job builds it): one
    # document of the cover, the contents and each decision. Its ratio to WeasyPrint alone on the
    # same document, and its memory at 200 decisions, are measured by bench/packs.py.
    chosen = decisions[:pack]
    label = f"pdf: board pack of {len(chosen)} (apps.exports.packs.board_pack)"
    times = _timed(lambda: board_pack(chosen, chosen[0].workspace, lambda done: None), 1)
    rows.append(_row(label, len(chosen), times, None, len(chosen), kind="pdf"))
    assert Decision.objects.exists()
    return {
        "results": rows,
        "memory": {
            "pdf process (WeasyPrint alone in-process)": _maxrss_mb(resource.RUSAGE_SELF),
            "pdf render child (our pipeline)": _maxrss_mb(resource.RUSAGE_CHILDREN),
        },
    }


def markdown(n: int, repeats: int) -> dict:
    import markdown as md
    from django.db import transaction

    from apps.formats.writers import write_madr
    from apps.imports.saving import save_records
    from apps.workspaces.models import Workspace

    queryset = _bench_decisions().with_record().order_by("id")[:n]
    files: dict[str, str] = {}

    def export() -> None:
        # What `manage.py export_adrs` does: read the records, write MADR files.
        with tempfile.TemporaryDirectory() as folder:
            for decision in queryset:
                name = f"{decision.workspace.slug}-{decision.file_stem}.md"
                text = write_madr(decision.to_record())
                (Path(folder) / name).write_text(text)
                files[name] = text

    converter = md.Markdown(extensions=BASELINE_EXTENSIONS)

    def python_markdown() -> None:
        for text in files.values():
            converter.reset().convert(text)

    export()
    count = len(files)
    mine, base = [], []
    for _ in range(repeats):
        mine += _timed(export, 1)
        base += _timed(python_markdown, 1)
    rows = [
        _row(
            f"markdown: export of {count:,}",
            count,
            mine,
            base,
            count,
            kind="markdown",
            baseline="python-markdown alone",
            budgeted=True,
        )
    ]
    try:
        from apps.formats.readers import read
    except ImportError as error:
        from .report import missing

        rows.append(missing(f"markdown: import of {count:,}", count, f"no reader: {error}"))
        return {"results": rows, "memory": {"markdown process": _maxrss_mb(resource.RUSAGE_SELF)}}

    def read_all() -> list:
        return [read(text, name).record for name, text in files.items()]

    mine = []
    for _ in range(repeats):
        mine += _timed(read_all, 1)
    rows.append(
        _row(
            f"markdown: import of {count:,} (read)",
            count,
            mine,
            base,
            count,
            kind="markdown",
            baseline="python-markdown alone",
            budgeted=True,
        )
    )
    records = read_all()

    def read_and_save() -> None:
        # The import's own path: every record read, then saved in bulk (apps/imports/saving.py).
        with transaction.atomic():
            workspace = Workspace.objects.create(slug="bench-import", name="Bench import")
            save_records(workspace, [(r, k + 1) for k, r in enumerate(read_all())])
            transaction.set_rollback(True)  # leave the bench data as it was

    saved = _timed(read_and_save, 1)
    rows.append(
        _row(
            f"markdown: import of {count:,} (read + save)",
            count,
            saved,
            base,
            count,
            kind="markdown",
            baseline="python-markdown alone",
            budgeted=True,
            limit=IMPORT_RATIO,
        )
    )
    assert len(records) == count
    return {"results": rows, "memory": {"markdown process": _maxrss_mb(resource.RUSAGE_SELF)}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("work", choices=["pdf", "markdown"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pack", type=int, default=50)
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args(argv)
    _setup()
    if args.work == "pdf":
        out = pdf(args.repeats, args.pack)
    else:
        out = markdown(args.n, args.repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
