"""`make interop`: do the tools teams use read Adroit's exports in full?

    python interop/check.py            # install the tools if needed, export, build, check
    python interop/check.py --no-docs  # the same, without rewriting docs/interop.md's results
    python interop/check.py --no-docs --only adr-tools   # one tool (adr-tools takes seconds)

Installs log4brains 1.1 and adr-tools (the npm port of Nat Pryce's adr-tools, `@meza/adr-tools`:
the npm package named `adr-tools` is another program, with other commands) from the npm registry
into .interop-cache/ (git-ignored), loads the example workspace into a throwaway SQLite database,
and exports it twice:

* `--format log4brains`, then `log4brains build`: each decision's page in the built site must show
  its own status, date, deciders and tags, and a superseded one its successor;
* `--format nygard`, then `adr list`, `adr generate toc` and `adr generate graph`: every decision
  and every link must be listed.

Prints each check, writes the results (date, versions, output) between the markers in
docs/interop.md, and exits 1 when a check fails, 2 when a tool cannot be installed or run. Not
part of `make test`: it needs the npm registry and takes a few minutes (the log4brains build).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".interop-cache"
RUN = CACHE / "run"
DOCS = ROOT / "docs" / "interop.md"
BEGIN, END = "<!-- interop:begin -->", "<!-- interop:end -->"
# The versions the issue asks for; package.json beside this file pins the same.
PACKAGES = {"log4brains": "1.1.0", "@meza/adr-tools": "2.0.3"}


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: int = 0
    broken_tools: list[str] = field(default_factory=list)

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)

    def check(self, ok: bool, what: str) -> None:
        self.say(f"{'ok  ' if ok else 'FAIL'} {what}")
        self.failures += not ok


def run(args: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEXT_TELEMETRY_DISABLED": "1", "CI": "true"}
    return subprocess.run(  # noqa: S603 - our own argument lists, no shell
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


# --- installing -----------------------------------------------------------------------------


def install(report: Report) -> dict[str, str]:
    """npm-install the tools into .interop-cache/ unless there already; their versions."""
    if not shutil.which("npm") or not shutil.which("node"):
        report.say("FAIL node and npm are not installed (Debian: apt-get install nodejs npm)")
        report.broken_tools += list(PACKAGES)
        return {}
    CACHE.mkdir(exist_ok=True)
    shutil.copy(ROOT / "interop" / "package.json", CACHE / "package.json")
    versions = installed_versions()
    if versions != PACKAGES:
        report.say(f"Installing {', '.join(f'{n}@{v}' for n, v in PACKAGES.items())} with npm")
        done = run(
            ["npm", "install", "--no-audit", "--no-fund", "--cache", str(CACHE / "npm-cache")],
            CACHE,
        )
        if done.returncode != 0:
            report.say("FAIL npm install:\n" + indent(done.stderr[-3000:]))
        versions = installed_versions()
    for name, wanted in PACKAGES.items():
        if versions.get(name) != wanted:
            report.say(f"FAIL {name}@{wanted} is not installed (found {versions.get(name)})")
            report.broken_tools.append(name)
    node = run(["node", "--version"], ROOT).stdout.strip()
    return {**versions, "node": node}


def installed_versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        manifest = CACHE / "node_modules" / name / "package.json"
        if manifest.exists():
            found[name] = json.loads(manifest.read_text())["version"]
    return found


def tool(name: str) -> str:
    return str(CACHE / "node_modules" / ".bin" / name)


# --- exporting --------------------------------------------------------------------------------


def export_example(folder: Path) -> tuple[str, dict]:
    """Load the example into a throwaway database; export it in both formats; its records."""
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'interop.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from apps.accounts.management.commands.load_example import load_example
    from apps.decisions.models import Decision
    from apps.formats.writers import file_name

    call_command("migrate", verbosity=0, interactive=False)
    workspace = load_example()
    slug = workspace.slug
    for fmt, sub in (("log4brains", "log4brains/docs/adr"), ("nygard", "adr-tools/doc/adr")):
        call_command("export_adrs", out=RUN / sub, format=fmt, workspace=slug, verbosity=0)
    records = {}
    for decision in Decision.objects.filter(workspace=workspace).with_record():
        record = decision.to_record()
        records[file_name(record, "nygard").removesuffix(".md")] = record
    return slug, records


# --- log4brains -------------------------------------------------------------------------------


def check_log4brains(report: Report, records: dict) -> None:
    project = RUN / "log4brains"
    (project / ".log4brains.yml").write_text(
        "project:\n  name: Adroit example\n  tz: Etc/UTC\n  adrFolder: ./docs/adr\n"
    )
    site = project / "site"
    report.say("$ log4brains build --out site")
    done = run([tool("log4brains"), "build", "--out", str(site)], project)
    tail = [ln for ln in done.stdout.splitlines() if "successfully generated" in ln]
    report.say(indent("\n".join(tail) or done.stdout[-1500:] + done.stderr[-1500:]))
    if done.returncode != 0:
        report.check(False, f"log4brains build exited {done.returncode}")
        return
    from apps.formats.writers import LOG4BRAINS_STATUS

    for slug, record in sorted(records.items()):
        data = next(site.glob(f"_next/data/*/adr/{slug}.json"), None)
        page = site / "adr" / slug / "index.html"
        if data is None or not page.exists():
            report.check(False, f"{slug}: no page in the built site")
            continue
        adr = json.loads(data.read_text())["pageProps"]["currentAdr"]
        html = page.read_text()
        status = LOG4BRAINS_STATUS.get(record.status, "draft")
        shown_date = (adr.get("publicationDate") or "")[:10]
        report.check(
            adr["status"] == status and status in html,
            f"{slug}: status {adr['status']!r} (Adroit: {record.status})",
        )
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", record.date):
            day = datetime.strptime(record.date, "%Y-%m-%d")
            on_page = f"{day:%b} {day.day}, {day.year}"
            report.check(
                shown_date == record.date and on_page in html,
                f"{slug}: date {shown_date} shown as {on_page!r} (Adroit: {record.date})",
            )
        people = adr.get("deciders") or []
        report.check(
            people == record.decision_makers,
            f"{slug}: deciders {people} (Adroit: {record.decision_makers})",
        )
        # log4brains splits tags at spaces and commas and lowercases them.
        tags = [t.lower() for tag in record.tags for t in re.split(r"[\s,]+", tag) if t]
        report.check((adr.get("tags") or []) == tags, f"{slug}: tags {adr.get('tags') or []}")
        successors = [r for r in record.relations if r.kind == "superseded_by"]
        if record.status == "superseded" and successors:
            shown = (adr.get("supersededBy") or {}).get("slug")
            report.check(
                shown is not None and shown.startswith(f"{successors[0].number:04d}-"),
                f"{slug}: superseded by {shown}",
            )


# --- adr-tools --------------------------------------------------------------------------------


def check_adr_tools(report: Report, records: dict) -> None:
    project = RUN / "adr-tools"
    folder = project / "doc" / "adr"
    adr = tool("adr")
    from apps.formats.vocabulary import RELATION_LABELS

    report.say("$ adr list")
    listed = run([adr, "list"], project)
    report.say(indent(listed.stdout.strip() or listed.stderr.strip()))
    names = {Path(line).stem for line in listed.stdout.split()}
    for slug in sorted(records):
        report.check(slug in names, f"adr list: {slug}")
    report.check(listed.returncode == 0 and len(names) == len(records), "adr list: nothing else")

    report.say("$ adr generate toc")
    toc = run([adr, "generate", "toc"], project)
    text = (folder / "decisions.md").read_text() if toc.returncode == 0 else toc.stderr
    report.say(indent(text.strip()))
    for slug in sorted(records):
        heading = first_heading(folder / f"{slug}.md")
        report.check(f"- [{heading}]({slug}.md)" in text, f"adr generate toc: {heading}")

    report.say("$ adr generate graph")
    graph = run([adr, "generate", "graph"], project)
    report.say(indent(graph.stdout.strip() or graph.stderr.strip()))
    for slug, record in sorted(records.items()):
        report.check(f"_{record.number} [label=" in graph.stdout, f"adr generate graph: {slug}")
        for relation in record.relations:
            # adr-tools draws each link once, from the side whose label does not end in "by".
            if relation.kind.endswith("_by") or relation.number is None:
                continue
            label = RELATION_LABELS.get(relation.kind, relation.kind)
            edge = f'_{record.number} -> _{relation.number} [label="{label}"'
            report.check(edge in graph.stdout, f"adr generate graph: {edge}]")
    if graph.stderr.strip():
        report.check(False, "adr generate graph: warnings\n" + indent(graph.stderr.strip()))


def first_heading(path: Path) -> str:
    return next(ln[2:].strip() for ln in path.read_text().splitlines() if ln.startswith("# "))


# --- the report -------------------------------------------------------------------------------


def indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def write_docs(report: Report, versions: dict, started: datetime) -> None:
    body = [
        f"Run {started:%Y-%m-%d %H:%M} UTC with "
        + ", ".join(f"{name} {version}" for name, version in versions.items())
        + f": {report.failures} failed check(s)"
        + (f", not installed: {', '.join(report.broken_tools)}" if report.broken_tools else "")
        + ".",
        "",
        "```text",
        *report.lines,
        "```",
    ]
    text = DOCS.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    DOCS.write_text(text[:start] + "\n" + "\n".join(body) + "\n" + text[end:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-docs", action="store_true", help="leave docs/interop.md alone")
    parser.add_argument(
        "--only", choices=["log4brains", "adr-tools"], help="check with this tool only"
    )
    args = parser.parse_args()
    started = datetime.now(UTC)
    report = Report()
    shutil.rmtree(RUN, ignore_errors=True)
    RUN.mkdir(parents=True)
    versions = install(report)
    with tempfile.TemporaryDirectory(prefix="adroit-interop-") as scratch:
        slug, records = export_example(Path(scratch))
    report.say(f"Exported workspace {slug!r}: {len(records)} decisions")
    if "log4brains" not in report.broken_tools and args.only != "adr-tools":
        check_log4brains(report, records)
    if "@meza/adr-tools" not in report.broken_tools and args.only != "log4brains":
        check_adr_tools(report, records)
    report.say(f"{report.failures} failed, tools not installed: {report.broken_tools or 'none'}")
    if not args.no_docs:
        write_docs(report, versions, started)
    if report.broken_tools:
        return 2
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
