"""The shared steps from a record to what people read: page HTML, Markdown files and PDFs."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.safestring import SafeString

from apps.core.markdown import render_markdown
from apps.formats.record import Record, RelationEntry
from apps.formats.splice import splice
from apps.formats.writers import WRITERS, LinkFor, file_link, file_name, madr_body, write

from .models import Decision, SourceFile, Status
from .printing import Printed, printed_pdf

# The dialects a reader reports that each export format writes back as they came: a MADR export
# gives MADR 2, 3 and 4, log4brains and Backstage files back in their own dialect.
FAMILIES: dict[str, set[str]] = {
    "madr": {"madr", "madr2", "madr3", "madr4", "log4brains", "backstage"},
    "nygard": {"nygard", "adr-tools"},
    "decide-on": {"decide-on"},
    "log4brains": {"log4brains"},
}


def page_link_for(workspace_slug: str) -> LinkFor:
    def link(relation: RelationEntry) -> str:
        if relation.number is None:
            return relation.target
        return reverse("decisions:detail", args=[workspace_slug, relation.number])

    return link


def record_html(
    record: Record, link_for: LinkFor = file_link, image_hosts: tuple[str, ...] = ()
) -> SafeString:
    """The body every reader sees: the MADR sections, through the one sanitiser.

    `image_hosts`: the workspace's, from which images may load; a PDF fetches none, so none there.
    """
    return render_markdown(madr_body(record, link_for), image_hosts)


def record_markdown(record: Record, fmt: str = "madr") -> str:
    return write(record, fmt)


def printed_record(
    record: Record, workspace_name: str = "", history: list | None = None
) -> Printed:
    """A record as its PDF prints it (see `printing.py`); a version's is in apps.versions."""
    return Printed(record, record_html(record), workspace_name, history=history or [])


def record_pdf(record: Record, workspace_name: str = "") -> bytes:
    return printed_pdf(printed_record(record, workspace_name))


# --- Files of a team's folder: the source where there is one -------------------------------------


def source_of(decision: Decision) -> SourceFile | None:
    try:
        return decision.source
    except ObjectDoesNotExist:
        return None


def export_record(decision: Decision) -> Record:
    """The record as files say it: accepted elsewhere is accepted to every other tool, and an
    imported decision is dated only when it has a date of its own (none is invented)."""
    record = decision.to_record()
    if record.status == Status.ELSEWHERE:
        record.status = Status.ACCEPTED
    if source_of(decision) is not None:
        record.date = decision.decided_on.isoformat() if decision.decided_on else ""
    return record


def in_family(source: SourceFile | None, fmt: str) -> bool:
    return source is not None and source.dialect in FAMILIES.get(fmt, ())


@dataclass(frozen=True)
class Entry:
    """What naming a decision's file needs, from a full decision or from a list's values."""

    number: int
    title: str
    source_path: str = ""
    dialect: str = ""

    def own_path(self, fmt: str) -> str:
        return file_name(Record(title=self.title, number=self.number), fmt)


def safe_path(path: str) -> bool:
    """A path inside the export folder: relative, with `/`, and never climbing out of it."""
    parts = path.split("/")
    return bool(path) and not (
        path.startswith("/") or "\\" in path or ":" in parts[0] or {"", ".", ".."} & set(parts)
    )


def folder_paths(entries: list[Entry], fmt: str, taken: set[str] = frozenset()) -> dict[int, str]:
    """Each decision's path in an export folder in `fmt`: an imported decision of that family at
    its own path, any other under `NNNN-title.md`, made unique (`-2`, `-3`, …) where that name is
    already a file's, so no file overwrites another. Deterministic: the same list gives the same
    paths."""
    entries = sorted(entries, key=lambda e: e.number)
    paths: dict[int, str] = {}
    used = {name.lower() for name in taken}
    for entry in entries:
        if safe_path(entry.source_path) and entry.dialect in FAMILIES.get(fmt, ()):
            if entry.source_path.lower() not in used:
                paths[entry.number] = entry.source_path
                used.add(entry.source_path.lower())
    for entry in entries:
        if entry.number in paths:
            continue
        name = entry.own_path(fmt)
        stem, dot, suffix = name.rpartition(".")
        count = 1
        while name.lower() in used:
            count += 1
            name = f"{stem}-{count}{dot}{suffix}"
        paths[entry.number] = name
        used.add(name.lower())
    return paths


def entry_of(decision: Decision) -> Entry:
    source = source_of(decision)
    return Entry(
        decision.number,
        decision.title,
        source.path if source else "",
        source.dialect if source else "",
    )


def workspace_paths(workspace_id: int, fmt: str) -> dict[int, str]:
    """`folder_paths` of a whole workspace, from one query of numbers, titles and sources."""
    rows = Decision.objects.filter(workspace_id=workspace_id).values_list(
        "number", "title", "source__path", "source__dialect"
    )
    return folder_paths([Entry(n, t, p or "", d or "") for n, t, p, d in rows], fmt)


def _linked(record: Record, path: str, paths: dict[int, str]) -> Record:
    """Relations pointing at the other decisions' files, relative to this file's folder."""
    here = posixpath.dirname(path) or "."
    relations = [
        replace(r, target=posixpath.relpath(paths[r.number], here)) if r.number in paths else r
        for r in record.relations
    ]
    return replace(record, relations=relations)


def decision_markdown(decision: Decision, fmt: str, paths: dict[int, str]) -> tuple[str, str]:
    """(path, text) of a decision in an export folder in `fmt`: the one pipeline of the folder
    export, the web zip and the single download.

    An imported decision exported in its own family comes back at its own path as it came, byte
    for byte, while it is untouched; once edited, only the lines its edits changed are re-rendered,
    in the writer of its own dialect, and the rest of its file stays verbatim (see
    `apps/formats/splice.py`). Any other decision is the writer's rendering of its record.
    """
    path = paths[decision.number]
    record = _linked(export_record(decision), path, paths)
    source = source_of(decision)
    if not (in_family(source, fmt) and path == source.path and source.record):
        return path, write(record, fmt)
    writer = source.dialect if source.dialect in WRITERS else fmt
    ours = write(record, writer)
    base = write(_linked(Record.from_dict(source.record), path, paths), writer)
    return path, splice(base, source.text, ours)


def remember_imports(decision_ids: list[int]) -> None:
    """Store each record as the import left it: the base that later edits are judged against."""
    sources = []
    for decision in (
        Decision.objects.filter(pk__in=decision_ids).with_record().select_related("source")
    ):
        decision.source.record = export_record(decision).to_dict()
        sources.append(decision.source)
    SourceFile.objects.bulk_update(sources, ["record"])


def family_of(dialect: str) -> str | None:
    return next((fmt for fmt, dialects in FAMILIES.items() if dialect in dialects), None)


def download_markdown(decision: Decision, fmt: str | None = None) -> tuple[str, str]:
    """(file name, text) of one decision's Markdown download: the folder export's file, in the
    family of its source unless `fmt` says otherwise (an untouched import gives its file back)."""
    source = source_of(decision)
    fmt = fmt or (family_of(source.dialect) if source else None) or "madr"
    path, text = decision_markdown(decision, fmt, workspace_paths(decision.workspace_id, fmt))
    if in_family(source, fmt) and path == source.path:
        return posixpath.basename(path), text
    return f"{decision.file_stem}.md", text
