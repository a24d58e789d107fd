"""Importing ADR files: what will be created, what went wrong, then all of it or nothing.

    files, problems = collect([("adr.zip", data)])
    plan = make_plan(files, workspace, format="auto")   # nothing written yet
    if plan.ok:
        decisions = apply(plan, workspace, by=user)      # one transaction

Used by the `import_adrs` command and the web import, which show the same plan.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.db import transaction

from apps.activity.events import record_event
from apps.decisions.building import link, save_record
from apps.decisions.models import Decision
from apps.formats.readers import FORMATS, ReadError, read_bytes
from apps.formats.record import Record, SectionEntry
from apps.formats.vocabulary import RELATION_LABELS
from apps.workspaces.models import Workspace

MARKDOWN = (".md", ".mdx", ".markdown")
CHUNK = 64 * 1024


def limits() -> dict[str, int]:
    mb = 1024 * 1024
    return {
        "file": int(settings.ADROIT_IMPORT_MAX_FILE_MB * mb),
        "total": int(settings.ADROIT_IMPORT_MAX_TOTAL_MB * mb),
        "files": settings.ADROIT_IMPORT_MAX_FILES,
    }


@dataclass
class Problem:
    """Something that stops the import; it names the file and, where known, the line."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}" if self.file else self.message


@dataclass
class Planned:
    filename: str
    format: str
    record: Record
    number: int
    source_number: int | None
    warnings: list[str] = field(default_factory=list)

    @property
    def kept_as_text(self) -> list[str]:
        """Sections the reader did not map onto the record, kept as free text."""
        return [s.heading or "(text without a heading)" for s in self.record.sections]


@dataclass
class Plan:
    items: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # renumbered files, skipped files
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (file, kind, target file)
    unresolved: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.items)


# --- files in --------------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return not (path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]))


def _unzip(name: str, data: bytes, budget: dict) -> tuple[list[tuple[str, bytes]], list]:
    """The Markdown files of a zip, read with every limit checked while reading."""
    files, problems, skipped = [], [], []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        return [], [Problem(name, f"not a readable zip file ({error})")], []
    unsafe = [m.filename for m in members if not _safe_member(m.filename)]
    if unsafe:
        return (
            [],
            [Problem(name, f"unsafe paths in the zip (outside its folder): {unsafe[:3]}")],
            [],
        )
    limit = limits()
    declared = sum(m.file_size for m in members if not m.is_dir())
    if declared > limit["total"]:
        message = f"unpacks to {declared:,} bytes, more than the {limit['total']:,} allowed"
        return [], [Problem(name, message)], []
    markdown = [m for m in members if not m.is_dir() and m.filename.lower().endswith(MARKDOWN)]
    if len(markdown) > limit["files"]:
        # Counted before any is unpacked: a million tiny entries cost time even when each is small.
        message = f"holds {len(markdown)} ADR files; at most {limit['files']} at once"
        return [], [Problem(name, message)], []
    for member in members:
        if member.is_dir():
            continue
        label = f"{name}/{member.filename}"
        if not member.filename.lower().endswith(MARKDOWN):
            skipped.append(label)
            continue
        if member.file_size > limit["file"]:
            message = (
                f"{member.file_size:,} bytes unpacked is more than the {limit['file']:,} allowed"
            )
            problems.append(Problem(label, message))
            continue
        body = bytearray()
        try:
            with archive.open(member) as stream:
                # Declared sizes can lie: count what actually comes out.
                while chunk := stream.read(CHUNK):
                    body += chunk
                    budget["total"] += len(chunk)
                    if len(body) > limit["file"] or budget["total"] > limit["total"]:
                        too_big = "unpacks to more than the size allowed (zip bomb?)"
                        return [], [Problem(label, too_big)], []
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            # zlib errors, and sizes or checksums that differ from what the zip declared.
            return [], [Problem(label, f"damaged or forged zip entry ({error})")], []
        except RuntimeError:
            # zipfile's answer to a password-protected entry, and (NotImplementedError) to a
            # compression method it does not know.
            message = (
                "encrypted, or packed in a way Adroit cannot unpack; zip it again without either"
            )
            return [], [Problem(label, message)], []
        files.append((member.filename, bytes(body)))
    return files, problems, skipped


def _too_big(name: str, size: int, limit: int) -> Problem:
    return Problem(name, f"{size:,} bytes is more than the {limit:,} allowed")


def _over_whole(name: str, size: int, limit: int, in_all: bool = False) -> Problem:
    said = f"{size:,} bytes in all" if in_all else f"{size:,} bytes"
    return Problem(name, f"{said} is more than the {limit:,} a whole import may hold")


def _too_many(count: int, limit: int) -> Problem:
    return Problem("", f"{count} files; at most {limit} at once")


def check_sizes(sizes: list[tuple[str, int]]) -> list[Problem]:
    """Uploads by name and size, checked before any is read into memory.

    A zip may be larger than one file (it holds many) but not than a whole import.
    """
    limit = limits()
    problems = []
    for name, size in sizes:
        if name.lower().endswith(".zip"):
            if size > limit["total"]:
                problems.append(_over_whole(name, size, limit["total"]))
        elif size > limit["file"]:
            problems.append(_too_big(name, size, limit["file"]))
    total = sum(size for _, size in sizes)
    if not problems and total > limit["total"]:
        problems.append(_over_whole("", total, limit["total"], in_all=True))
    plain = [name for name, _ in sizes if not name.lower().endswith(".zip")]
    if len(plain) > limit["files"]:
        problems.append(_too_many(len(plain), limit["files"]))
    return problems


def collect(uploads: list[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], Plan]:
    """Markdown files from uploaded files and zips; problems stop the import whole."""
    plan = Plan()
    files: list[tuple[str, bytes]] = []
    limit = limits()
    budget = {"total": 0}
    for name, data in uploads:
        lower = name.lower()
        if lower.endswith(".zip"):
            found, problems, skipped = _unzip(name, data, budget)
            files += found
            plan.problems += problems
            if skipped:
                plan.notes.append(
                    f"{len(skipped)} file(s) in {name} are not Markdown and were skipped"
                )
        elif lower.endswith(MARKDOWN):
            if len(data) > limit["file"]:
                plan.problems.append(_too_big(name, len(data), limit["file"]))
                continue
            budget["total"] += len(data)
            files.append((name, data))
        else:
            plan.problems.append(
                Problem(
                    name, "not an ADR file: send Markdown (.md, .mdx, .markdown) or a .zip of them"
                )
            )
    if budget["total"] > limit["total"]:
        plan.problems.append(_over_whole("", budget["total"], limit["total"], in_all=True))
    if len(files) > limit["files"]:
        plan.problems.append(_too_many(len(files), limit["files"]))
    return files, plan


# --- fitting the database's columns ----------------------------------------------------------


def _clip(text: str, size: int, originals: list[str]) -> str:
    if len(text) <= size:
        return text
    originals.append(text)
    return text[: size - 1].rstrip() + "…"


def fit(record: Record) -> list[str]:
    """Shorten what is longer than its column; the full texts stay in a free section."""
    originals: list[str] = []
    record.title = _clip(record.title, 200, originals)
    record.tags = [_clip(t, 60, originals) for t in record.tags]
    for names in (record.decision_makers, record.consulted, record.informed):
        names[:] = [_clip(n, 200, originals) for n in names]
    renamed = {}
    for scenario in record.scenarios:
        short = _clip(scenario.title, 200, originals)
        renamed[scenario.title], scenario.title = short, short
    record.chosen = renamed.get(record.chosen, _clip(record.chosen, 200, originals))
    for consideration in record.considerations:
        consideration.title = _clip(consideration.title, 200, originals)
        for option in consideration.options:
            option.title = _clip(option.title, 200, originals)
            for cell in option.support:
                cell.scenario = renamed.get(cell.scenario, cell.scenario)
                cell.note = _clip(cell.note, 500, originals)
    for reference in record.references:
        reference.title = _clip(reference.title, 300, originals)
        reference.url = _clip(reference.url, 1000, originals)
    for section in record.sections:
        section.heading = _clip(section.heading, 300, originals)
    if originals:
        body = "\n".join(f"- {' '.join(text.split())}" for text in originals)
        record.sections.append(SectionEntry("Shortened on import", body, "end", 2))
    return [f"{len(originals)} text(s) too long for Adroit were shortened"] if originals else []


# --- the plan --------------------------------------------------------------------------------


def make_plan(
    files: list[tuple[str, bytes]], workspace: Workspace | None, format: str = "auto", plan=None
) -> Plan:
    plan = plan or Plan()
    if format != "auto" and format not in FORMATS:
        plan.problems.append(Problem("", f"unknown format {format!r}"))
        return plan
    read = []
    for name, data in sorted(files, key=lambda f: f[0]):
        try:
            result = read_bytes(data, name, format)
        except ReadError as error:
            plan.problems.append(Problem(name, str(error).split(": ", 1)[-1], error.line))
            continue
        read.append((name, result))
    by_number = defaultdict(list)
    for name, result in read:
        if result.record.number is not None:
            by_number[result.record.number].append(name)
    for number, names in sorted(by_number.items()):
        if len(names) > 1:
            plan.problems.append(
                Problem(names[1], f"number {number} is also the number of {', '.join(names[:-1])}")
            )
    taken = set(
        Decision.objects.filter(workspace=workspace).values_list("number", flat=True)
        if workspace
        else []
    )
    wanted = {r.record.number for _, r in read if r.record.number is not None}
    next_free = max(taken | wanted, default=0) + 1
    for name, result in read:
        source = result.record.number
        number = source
        if number is None or number < 1 or number in taken:
            number, next_free = next_free, next_free + 1
            if source is None:
                plan.notes.append(f"{name}: no number in the file; it becomes {number}")
            elif source < 1:
                plan.notes.append(f"{name}: numbers start at 1 here; {source} becomes {number}")
            else:
                plan.notes.append(
                    f"{name}: number {source} is taken in the workspace; it becomes {number}"
                )
        warnings = [*result.warnings, *fit(result.record)]
        plan.items.append(Planned(name, result.format, result.record, number, source, warnings))
    _plan_links(plan)
    return plan


def _plan_links(plan: Plan) -> None:
    """Relations between the imported files, by file name or by number."""
    by_file = {PurePosixPath(i.filename).name.lower(): i for i in plan.items}
    # Docusaurus links by route, the file name without its extension (`/…/decide-on-waf-…`).
    by_route = {PurePosixPath(i.filename).stem.lower(): i for i in plan.items}
    by_number = {i.source_number: i for i in plan.items if i.source_number is not None}
    for item in plan.items:
        outside = []
        for relation in item.record.relations:
            target_name = PurePosixPath(relation.target.split("#")[0]).name.lower()
            target = (
                by_file.get(target_name)
                or (by_route.get(target_name) if "." not in target_name else None)
                or by_number.get(relation.number)
            )
            if target is None or target is item:
                plan.unresolved.append(
                    f"{item.filename}: {relation.kind.replace('_', ' ')} "
                    f"{relation.target or relation.number} is not among the imported files"
                )
                outside.append(relation)
                continue
            relation.number = target.number
            plan.links.append((item.filename, relation.kind, target.filename))
        if outside:
            # A link to a decision that is not here stays in the record as text: nothing is lost.
            lines = [
                f"* {RELATION_LABELS.get(r.kind, r.kind)} "
                + (f"[{r.title or r.target}]({r.target})" if r.target else f"ADR {r.number}")
                for r in outside
            ]
            item.record.sections.append(
                SectionEntry("Related decisions elsewhere", "\n".join(lines), "more_information", 3)
            )


# --- applying it ----------------------------------------------------------------------------


@transaction.atomic
def apply(plan: Plan, workspace: Workspace, by=None) -> list[Decision]:
    """Create every planned decision and their relations, or nothing."""
    if not plan.ok:
        raise ValueError("The plan has problems; nothing to apply.")
    created = {}
    for item in plan.items:
        created[item.filename] = save_record(workspace, item.record, owner=None, number=item.number)
    by_number = {item.number: created[item.filename] for item in plan.items}
    for item in plan.items:
        decision = created[item.filename]
        for relation in item.record.relations:
            target = by_number.get(relation.number)
            if target is None or target.pk == decision.pk:
                continue
            link(decision, target, relation.kind)
    record_event(
        workspace, by, "imported", target=workspace, files=len(plan.items), links=len(plan.links)
    )
    return list(created.values())
