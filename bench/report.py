"""Figures into the results file and the table in docs/benchmarks.md.

A result is one row: {"name", "n", "p50_ms", "p95_ms", "p99_ms", "rps", "errors", "floor_p95_ms",
"ratio", ...}. For pages the floor is the trivial page measured in the same seconds as the page
(each user alternates the two; "floor_measured": "interleaved"); for the PDF it is
WeasyPrint alone, for Markdown python-markdown alone, named in "baseline". A scenario that could not
be measured carries "missing" with the reason and no numbers.
"""

from __future__ import annotations

import json
import math
import shutil
from datetime import date
from pathlib import Path

# Budgets (issue 7): each a check on a result row, and the words the table shows.
PAGE_RATIO = 2.0
PDF_RATIO = 1.15
MARKDOWN_RATIO = 2.0
SEARCH_P95_MS = 50.0
# SQLite's search at 10,000 decisions (issue 17): through its FTS5 index.
SEARCH_P95_MS_SQLITE = 100.0

# Why a budget is missed, as profiled (docs/benchmarks.md, "Why budgets are missed"): by scenario,
# and by scenario and database where the databases differ.
CAUSES = {
    "log": "4 queries, the whole content from one cache entry; left: the count and page statement "
    "(the count reads the index entries of the reader's decisions on every request), the filter "
    "form (see Why)",
    "filtered log": "as the log (see Why)",
    "decision page": "4 queries (5 in review), the main region from one cache entry; left: the "
    "one read of rights, row and key, and PostgreSQL's planning of it (see Why)",
    "markdown download": "4 queries and a cache hit; the decision read with its folder stamp and "
    "the download page's template (see Why)",
    "in-place edit": "a write: row lock, revision check, save, the region and preview re-rendered",
    "save": "a write: row lock, revision check, save, the preview re-rendered",
    ("save", "sqlite"): "a write; SQLite has one writer at a time, so saves queue (see Why)",
    ("search", "sqlite"): "one statement in SQLite's CPU: FTS5 match and bm25 for at most 201 "
    "candidates, the join to their rows; then filters, rows and the page: 2.1× the floor in CPU "
    "(see Why)",
    ("search", "postgresql"): "one statement: 2.0-2.7 ms of the server's CPU for at most 201 "
    "candidates, 0.6 ms of it planning; 2.5× the floor in CPU with the server's share (see Why)",
    "pdf: one decision": "the render child's fork and caps, a fixed cost that CPU contention grows",
    "markdown: import of 1,000 (read + save)": "reading, then bulk inserts and search documents",
}

START = "<!-- bench:{database}:start -->"
END = "<!-- bench:{database}:end -->"


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def percentile_ms(values: list[float], q: float) -> float | None:
    return _round(percentile(values, q))


def summarize(
    name: str, n: int | None, times_ms: list[float], errors: int, seconds: float, **extra
) -> dict:
    return {
        "name": name,
        "n": n,
        "p50_ms": _round(percentile(times_ms, 50)),
        "p95_ms": _round(percentile(times_ms, 95)),
        "p99_ms": _round(percentile(times_ms, 99)),
        "rps": _round(len(times_ms) / seconds if seconds else None),
        "requests": len(times_ms),
        "errors": errors,
        **extra,
    }


def scenario_row(plan: dict, n: int | None, data: dict) -> dict:
    """One scenario's row from locust's times (bench/locustfile.py). When the plan had a floor,
    each user alternated it with the scenario, and the ratio is to that floor: same seconds,
    same load."""
    row = summarize(
        plan["name"],
        n,
        data["times_ms"],
        data["errors"],
        data["seconds"],
        kind=plan.get("kind", "page"),
        statuses=data["statuses"],
        bytes=data.get("mean_bytes"),
    )
    if plan.get("floor"):
        floor_times = data.get("floor_times_ms") or []
        row["floor_measured"] = "interleaved"
        row["floor_requests"] = len(floor_times)
        row["floor_errors"] = data.get("floor_errors", 0)
        row["floor_p50_ms"] = percentile_ms(floor_times, 50)
        with_floor(row, percentile_ms(floor_times, 95))
    return row


def missing(name: str, n: int | None, reason: str, **extra) -> dict:
    return {
        "name": name,
        "n": n,
        "p50_ms": None,
        "p95_ms": None,
        "p99_ms": None,
        "rps": None,
        "errors": None,
        "floor_p95_ms": None,
        "ratio": None,
        "missing": reason,
        **extra,
    }


def with_floor(result: dict, floor_p95_ms: float | None) -> dict:
    result["floor_p95_ms"] = _round(floor_p95_ms)
    p95 = result.get("p95_ms")
    result["ratio"] = _round(p95 / floor_p95_ms, 2) if p95 and floor_p95_ms else None
    return result


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def budget(result: dict, database: str) -> tuple[str, str]:
    """("met" | "missed" | "n/a" | "missing", the budget in words) for one row."""
    kind = result.get("kind", "page")
    if result.get("missing"):
        return "missing", result["missing"]
    if kind == "page":
        words = f"p95 ≤ {PAGE_RATIO:g}× floor, 0 errors"
        ok = result["ratio"] is not None and result["ratio"] <= PAGE_RATIO and not result["errors"]
        verdict = "met" if ok else "missed"
        if result["name"] == "search" and result["n"] == 10000:
            limit = SEARCH_P95_MS if database == "postgresql" else SEARCH_P95_MS_SQLITE
            where = "PostgreSQL" if database == "postgresql" else "SQLite"
            words += f"; p95 ≤ {limit:g} ms on {where}"
            if result["p95_ms"] > limit:
                verdict = "missed"
        return verdict, words
    if kind == "floor":
        return "n/a", "the floor itself"
    if kind == "pdf" and result["name"] == "pdf: one decision":
        return _ratio_verdict(result, PDF_RATIO), f"≤ {PDF_RATIO:g}× WeasyPrint alone"
    if kind == "markdown" and result.get("budgeted"):
        limit = result.get("limit") or MARKDOWN_RATIO
        return _ratio_verdict(result, limit), f"≤ {limit:g}× python-markdown"
    return "n/a", "no budget; tracked"


def cause(result: dict, database: str) -> str:
    name = result["name"]
    return CAUSES.get((name, database)) or CAUSES.get(name) or "not profiled yet"


def _ratio_verdict(result: dict, limit: float) -> str:
    return "met" if result["ratio"] is not None and result["ratio"] <= limit else "missed"


def write_results(report: dict, out_dir: Path, today: date | None = None) -> tuple[Path, Path]:
    """latest.json and a dated copy (2026-11-24-sqlite.json); returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    latest = out_dir / "latest.json"
    latest.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    dated = out_dir / f"{(today or date.today()).isoformat()}-{report['database']}.json"
    shutil.copyfile(latest, dated)
    return latest, dated


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _kb(value) -> str:
    return "—" if not value else f"{value / 1024:,.0f}"


def table(report: dict) -> str:
    """The Markdown section for one database: machine, command, and one row per result."""
    machine, database = report["machine"], report["database"]
    lines = [
        f"### {database} — {report.get('date', '')}",
        "",
        f"Command: `{report.get('command', 'make bench')}`",
        "",
        f"Machine: {machine.get('cpu_count')} CPU ({machine.get('cpu_model', '?')}), "
        f"{machine.get('memory_mb', '?')} MB, Python {machine.get('python')}, "
        f"Django {machine.get('django')}; {machine.get('server', '')}; {machine.get('load', '')}; "
        f"load average (1, 5, 15 min) {machine.get('load_before')} before, "
        f"{machine.get('load_after')} after{_shared(machine)}.",
        "",
        "Each page's floor p95 is the floor measured in the same seconds as that page: every "
        "user alternates a floor request and a page request (the floor row is the floor alone).",
        "",
        "| scenario | N | kB | p50 ms | p95 ms | p99 ms | rps | errors "
        "| floor p95 / baseline p50 ms | ratio | budget | verdict | cause of a miss |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for r in report["results"]:
        verdict, words = budget(r, database)
        errors = "—" if r.get("errors") is None else str(r["errors"])
        ratio = "—" if r.get("ratio") is None else f"{r['ratio']:.2f}×"
        n = "—" if r.get("n") is None else f"{r['n']:,}"
        name = r["name"] + (f", vs {r['baseline']}" if r.get("baseline") else "")
        # Batch work (PDF, Markdown) compares medians of repeated runs; pages compare p95s.
        base = r.get("baseline_p50_ms") if r.get("ratio_basis") else r.get("floor_p95_ms")
        lines.append(
            f"| {name} | {n} | {_kb(r.get('bytes'))} "
            f"| {_ms(r.get('p50_ms'))} | {_ms(r.get('p95_ms'))} "
            f"| {_ms(r.get('p99_ms'))} | {_ms(r.get('rps'))} | {errors} "
            f"| {_ms(base)} | {ratio} | {words} | **{verdict}** "
            f"| {cause(r, database) if verdict == 'missed' else ''} |"
        )
    memory = report.get("memory", {})
    if memory:
        lines += ["", "Peak memory (MB): " + ", ".join(f"{k} {v:,.0f}" for k, v in memory.items())]
    return "\n".join(lines) + "\n"


def update_doc(doc: Path, report: dict) -> None:
    """Replace this database's section between its markers, keeping everything else as written."""
    database = report["database"]
    start, end = START.format(database=database), END.format(database=database)
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    block = f"{start}\n{table(report)}{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(text)


def _shared(machine: dict) -> str:
    """Whether other work was running when the bench started (its own load counts after)."""
    before = machine.get("load_before") or [0]
    if before[0] >= 1:
        return ": other work shared the CPU"
    return " (the machine was otherwise idle when it started; the bench's own load counts after)"
