"""Importing ADR files: what will be created, what went wrong, then all of it or nothing.

    files, problems = collect([("adr.zip", data)])
    plan = make_plan(files, workspace, format="auto")   # nothing written yet
    if plan.ok:
        decisions = apply(plan, workspace, by=user)      # one transaction

Used by the `import_adrs` command and the web import, which show the same plan.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction

from apps.activity.events import record_event
from apps.decisions.building import link
from apps.decisions.models import Decision, SourceFile, Status
from apps.decisions.rendering import remember_imports
from apps.formats.readers import FORMATS, ReadError, ReadResult, read_bytes
from apps.formats.record import Record, SectionEntry
from apps.formats.vocabulary import RELATION_LABELS
from apps.reviews.models import Contribution, ReviewRound
from apps.workspaces.models import Workspace

from .saving import save_records

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
    # The file as read (NUL bytes removed), for the decision's SourceFile.
    data: bytes = b""
    # Sent to review on import, in a round the importer opens (see `settle_status`).
    review: bool = False

    @property
    def status_label(self) -> str:
        label = Status(self.record.status).label
        return "In review (a round opened by the importer)" if self.review else label

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
    skipped: list[str] = field(default_factory=list)  # README, index and template files
    refused: list[Problem] = field(default_factory=list)  # files that cannot be read; the rest go

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

# PostgreSQL's `integer`, the column of a decision's number: a date slug such as 20200924123456
# read as a number would not fit, so it is numbered like a file without a number.
MAX_NUMBER = 2**31 - 1
# Paths are stored with the decision (its SourceFile) to write it back where it came from.
MAX_PATH = 500


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


def _unique(titles: list[str], size: int = 200) -> tuple[list[str], list[tuple[str, str]]]:
    """Titles made unique the way a person would: the second "Foo" becomes "Foo (2)".

    Returns the titles and the (old, new) pairs renamed. Deterministic, so the preview and the
    import (planned again) agree.
    """
    seen: set[str] = set()
    result, renamed = [], []
    for title in titles:
        new, count = title, 1
        while new in seen:
            count += 1
            suffix = f" ({count})"
            new = title[: size - len(suffix)] + suffix
        seen.add(new)
        result.append(new)
        if new != title:
            renamed.append((title, new))
    return result, renamed


def deduplicate(record: Record) -> list[str]:
    """Rename or drop what the database holds once per decision; returns what was changed.

    The database refuses two scenarios, two considerations, two options of one consideration or
    two participants in one role alike, and two matrix cells for one option and scenario. A file
    may well have them (a heading copied twice); refusing the file would lose it, so the plan
    changes them here, where the preview can say so, rather than the import failing half-way.
    """
    changes: list[str] = []

    def rename(kind: str, items: list, where: str = "") -> None:
        titles, renamed = _unique([item.title for item in items])
        for item, title in zip(items, titles, strict=True):
            item.title = title
        changes.extend(
            f"{kind} “{old}”{where} twice: the second is “{new}”" for old, new in renamed
        )

    rename("scenario", record.scenarios)
    rename("consideration", record.considerations)
    for consideration in record.considerations:
        rename("option", consideration.options, f" in “{consideration.title}”")
        for option in consideration.options:
            cells = {}
            for cell in option.support:
                cells.setdefault(cell.scenario, cell)
            if len(cells) < len(option.support):
                changes.append(f"option “{option.title}” rated a scenario twice: the first is kept")
                option.support = list(cells.values())
    for names in (record.decision_makers, record.consulted, record.informed):
        kept = list(dict.fromkeys(names))
        if len(kept) < len(names):
            twice = sorted({name for name in names if names.count(name) > 1})
            changes.append(f"{', '.join(twice)} listed twice in one role: once is kept")
            names[:] = kept
    record.tags = list(dict.fromkeys(record.tags))
    return changes


# --- the plan --------------------------------------------------------------------------------

# Not decisions: an index or a README beside the ADRs (a team's own, or the one Adroit's export
# writes), and templates. The same rule as the fidelity tool (shared/tools/fidelity.py).
NOT_ADR = re.compile(r"(^|/)(readme|index|_?template|adr-template|xxxx[^/]*)(\.[a-z]+)?$", re.I)

# What an imported "accepted" file becomes (issue 13): never "accepted", which only a review here
# gives. "elsewhere": shown as accepted elsewhere, with its source; "review": a review round
# opened by the importer, who as its author cannot approve it.
ACCEPTED_CHOICES = {
    "elsewhere": "Mark them “Accepted elsewhere”: decided by another process, not here",
    "review": "Send them to review here, in a round I open",
}


def settle_status(item: Planned, accepted: str) -> None:
    """The status an imported file starts in here, so that no import publishes past review.

    accepted -> "accepted elsewhere" (or review, as the team chooses); proposed / in review ->
    in review, with a round opened by the importer (a file cannot bring its approvals along);
    draft, rejected, deprecated and superseded are kept: none of them publishes a decision, and
    rejected only leads back to draft. Deprecated and superseded are end states: the decision was
    current once, elsewhere, and is kept as history.
    """
    status = item.record.status
    if status == Status.ACCEPTED and accepted != "review":
        item.record.status = Status.ELSEWHERE.value
    elif status in (Status.ACCEPTED, Status.IN_REVIEW):
        item.record.status = Status.DRAFT.value  # and sent to review by `settle` once it exists
        item.review = True


def _read(name: str, data: bytes, format: str) -> tuple[ReadResult | None, Problem | None]:
    """One file read, or why it cannot be: a file that cannot be read never stops the rest."""
    nul = data.count(b"\x00")
    # PostgreSQL cannot store NUL in text; no Markdown means one, so it goes, with a warning.
    data = data.replace(b"\x00", b"") if nul else data
    try:
        result = read_bytes(data, name, format)
    except ReadError as error:
        return None, Problem(name, str(error).split(": ", 1)[-1], error.line)
    except RecursionError:
        return None, Problem(name, "nested too deeply to read")
    if nul:
        result.warnings.append(f"{nul} NUL byte(s) removed: they are not text")
    return result, None


def make_plan(
    files: list[tuple[str, bytes]],
    workspace: Workspace | None,
    format: str = "auto",
    plan: Plan | None = None,
    accepted: str = "elsewhere",
) -> Plan:
    """Everything the import will do, checked against what the database accepts.

    The web preview, the command's dry run and the import itself all run this; `apply` then
    writes exactly this plan, so a clean preview cannot fail on the way in.
    """
    plan = plan or Plan()
    if format != "auto" and format not in FORMATS:
        plan.problems.append(Problem("", f"unknown format {format!r}"))
        return plan
    if accepted not in ACCEPTED_CHOICES:
        plan.problems.append(
            Problem("", f"--accepted must be one of {', '.join(ACCEPTED_CHOICES)}")
        )
        return plan
    read = []
    for name, data in sorted(files, key=lambda f: f[0]):
        if NOT_ADR.search(name):
            plan.skipped.append(name)
            continue
        if len(name) > MAX_PATH:
            plan.refused.append(
                Problem(name[:80] + "…", f"a path longer than {MAX_PATH} characters")
            )
            continue
        result, refused = _read(name, data, format)
        if refused:
            plan.refused.append(refused)
            continue
        read.append((name, data.replace(b"\x00", b""), result))
    taken = set(
        Decision.objects.filter(workspace=workspace).values_list("number", flat=True)
        if workspace
        else []
    )
    wanted = {
        r.record.number for _, _, r in read if r.record.number and r.record.number <= MAX_NUMBER
    }
    next_free = max(taken | wanted, default=0) + 1
    holder: dict[int, str] = {}  # number -> the file of this import that keeps it
    for name, data, result in read:
        source = result.record.number
        number = source
        if number is None or not 1 <= number <= MAX_NUMBER or number in taken or number in holder:
            number, next_free = next_free, next_free + 1
            plan.notes.append(
                f"{name}: {_why_renumbered(source, taken, holder)}; it becomes {number}"
            )
        holder[number] = name
        warnings = [*result.warnings, *fit(result.record), *deduplicate(result.record)]
        item = Planned(name, result.format, result.record, number, source, warnings, data)
        settle_status(item, accepted)
        plan.items.append(item)
    _plan_links(plan)
    return plan


def _why_renumbered(source: int | None, taken: set[int], holder: dict[int, str]) -> str:
    if source is None:
        return "no number in the file"
    if not 1 <= source <= MAX_NUMBER:
        return f"number {source} cannot be a decision's number here"
    if source in holder:
        return (
            f"number {source} is also the number of {holder[source]}, which keeps it;"
            " this file keeps its name"
        )
    return f"number {source} is taken in the workspace"


def _link_path(item: Planned, target: str) -> tuple[str, str]:
    """The path a link names, resolved against the linking file's folder, and its file name.

    `../decisions/0016-x.md#status` -> ("decisions/0016-x.md", "0016-x.md"); a URL gives its
    last part; a link with no file (a plain number, `#anchor`) gives ("", "").
    """
    parsed = urlsplit(target.strip())
    path = unquote(parsed.path)
    # `ADR-0057` in the text names a number, not a file.
    is_file = parsed.scheme or "/" in path or path.lower().endswith(MARKDOWN)
    if not path or path.endswith("/") or not is_file:
        return "", ""
    name = PurePosixPath(path).name.lower()
    if parsed.scheme or parsed.netloc or path.startswith("/"):
        return "", name
    folder = posixpath.dirname(item.filename)
    return posixpath.normpath(posixpath.join(folder, path)).lower(), name


def _plan_links(plan: Plan) -> None:
    """Relations between the imported files, by the file a link points at, else by number.

    A link to `0016-compliance-documentation.md` means that file, whatever number it gets here
    and whichever other file was numbered 16; only a link without a file goes by number.
    """
    by_path = {i.filename.lower(): i for i in plan.items}
    names = defaultdict(list)
    for i in plan.items:
        path = PurePosixPath(i.filename)
        names[path.name.lower()].append(i)
        # Docusaurus links by route, the file name without its extension (`/…/decide-on-waf-…`).
        names[path.stem.lower()].append(i)
    by_number = defaultdict(list)
    for i in plan.items:
        if i.source_number is not None:
            by_number[i.source_number].append(i)
    for item in plan.items:
        outside, kept = [], []
        for relation in item.record.relations:
            path, name = _link_path(item, relation.target) if relation.target else ("", "")
            if path or name:
                found = [by_path[path]] if path in by_path else names.get(name, [])
                why = "is not among the imported files"
            else:
                found = by_number.get(relation.number, [])
                why = "is not among the imported files"
            if len(found) > 1:
                why = f"names {len(found)} imported files; which one is unclear"
            target = found[0] if len(found) == 1 else None
            if target is None or target is item:
                plan.unresolved.append(
                    f"{item.filename}: {relation.kind.replace('_', ' ')} "
                    f"{relation.target or relation.number} {why}"
                )
                outside.append(relation)
                continue
            relation.number = target.number
            kept.append(relation)
            plan.links.append((item.filename, relation.kind, target.filename))
        # Only resolved relations stay: `apply` links by the numbers set here, and a link left
        # with its file's number could land on another decision that has that number.
        item.record.relations = kept
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


def settle(decision: Decision, item: Planned, by=None) -> None:
    """After a decision is created: who imported it from which file, and its review if planned.

    The event is what the decision page shows beside "Accepted elsewhere" (imported by whom).
    A review is opened by the importer, so the importer counts as its author and cannot approve.
    """
    record_event(decision.workspace, by, "imported", target=decision, path=item.filename)
    # Whoever brings a text in is one of its authors: their approval of it never counts.
    Contribution.record(decision, by)
    if item.review:
        decision.move_to(Status.IN_REVIEW, by=by)
        ReviewRound.open_for(decision, by=by)


@transaction.atomic
def apply(plan: Plan, workspace: Workspace, by=None) -> list[Decision]:
    """Create every planned decision and their relations, or nothing."""
    if not plan.ok:
        raise ValueError("The plan has problems; nothing to apply.")
    # In bulk: a fixed number of queries per batch of files, not a few per part of each.
    saved = save_records(workspace, ((item.record, item.number) for item in plan.items))
    created = {}
    for item, decision in zip(plan.items, saved, strict=True):
        created[item.filename] = decision
        settle(decision, item, by)
    by_number = {item.number: created[item.filename] for item in plan.items}
    for item in plan.items:
        decision = created[item.filename]
        for relation in item.record.relations:
            target = by_number.get(relation.number)
            if target is None or target.pk == decision.pk:
                continue
            link(decision, target, relation.kind)
    keep_sources(plan, created)
    record_event(
        workspace, by, "imported", target=workspace, files=len(plan.items), links=len(plan.links)
    )
    return list(created.values())


def keep_sources(plan: Plan, created: dict[str, Decision]) -> None:
    """Each decision's file as it came: where it was, its dialect and its text, so the export
    gives the team's folder back; and the record as imported, once every relation is linked, so
    that the export can tell an untouched decision from an edited one."""
    sources = [
        SourceFile(
            decision=created[item.filename],
            path=item.filename.replace("\\", "/"),
            dialect=getattr(item, "dialect", "") or item.format,
            text=item.data.decode("utf-8"),
            status_text=item.record.status_text,
        )
        for item in plan.items
        if item.data
    ]
    SourceFile.objects.bulk_create(sources)
    # Dated as the files date them: the log, the timeline and their date filters show when a
    # decision was made, not the day it was imported (the audit log has that).
    for decision in created.values():
        if decision.decided_on:
            at = datetime.datetime.combine(decision.decided_on, datetime.time(12), datetime.UTC)
            Decision.objects.filter(pk=decision.pk).update(created_at=at, updated_at=at)
    remember_imports([source.decision_id for source in sources])
