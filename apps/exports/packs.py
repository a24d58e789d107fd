"""Building exports: the zip of a workspace's log, and the board pack PDF."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from apps.core.pdf import html_to_pdf
from apps.decisions.models import Decision
from apps.decisions.rendering import (
    decision_markdown,
    entry_of,
    export_record,
    folder_paths,
    record_pdf,
)
from apps.formats.record import Record
from apps.formats.writers import FORMATS
from apps.versions.rendering import version_pdf

Progress = Callable[[int], None]


# The index goes in the first of these that is free or our own; a team's own README stays theirs.
INDEX_NAMES = ("README.md", "index.md")
OUR_INDEX = re.compile(r"# Architecture Decision Records\n\n\d+ decisions?, written as ")


def is_our_index(text: str) -> bool:
    return bool(OUR_INDEX.match(text))


def folder_index(entries: list[tuple[Record, str]], fmt: str) -> str:
    """The folder's index: the log as a table, each title linking to its file where it is."""
    rows = ["| Number | Title | Status | Date |", "| ---: | --- | --- | --- |"]
    for record, path in sorted(entries, key=lambda e: (e[0].number or 0, e[1])):
        number = f"{record.number:04d}" if record.number is not None else ""
        title = " ".join(record.title.split()).replace("|", "\\|")
        link = f"[{title}]({quote(path)})"
        rows.append(f"| {number} | {link} | {record.status_label} | {record.date} |")
    count = f"{len(entries)} decision{'s' if len(entries) != 1 else ''}"
    intro = f"{count}, written as {FORMATS[fmt].label}."
    return f"# Architecture Decision Records\n\n{intro}\n\n" + "\n".join(rows) + "\n"


def log_files(
    decisions: list[Decision],
    fmt: str,
    foreign: Callable[[str], bool] = lambda name: False,
    progress: Progress = lambda done: None,
) -> list[tuple[str, str]]:
    """(path, text) of every file of the folder a team commits: each decision at its path (an
    imported one where it came from, as it came while untouched), then the index, in the first of
    INDEX_NAMES that is neither a decision's file nor `foreign` (a file there that is not ours);
    with none free, no index. The same decisions always give the same files, byte for byte."""
    paths = folder_paths([entry_of(d) for d in decisions], fmt)
    files, entries = [], []
    for i, decision in enumerate(decisions, start=1):
        path, text = decision_markdown(decision, fmt, paths)
        files.append((path, text))
        entries.append((export_record(decision), path))
        progress(i)
    taken = {path.lower() for path in paths.values()}
    index = next((n for n in INDEX_NAMES if n.lower() not in taken and not foreign(n)), None)
    if index is not None:
        files.append((index, folder_index(entries, fmt)))
    return files


def log_zip(decisions: list[Decision], fmt: str, progress: Progress) -> bytes:
    """Every decision as a file in `fmt`, and the index: the folder a team commits."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in log_files(decisions, fmt, progress=progress):
            archive.writestr(path, text)
    return buffer.getvalue()


def _latest_version(decision: Decision):
    versions = list(decision.versions.all())
    return versions[-1] if versions else None, versions


def board_pack(decisions: list[Decision], workspace, progress: Progress) -> bytes:
    """One PDF: a cover with the contents, then each decision as its own PDF shows it.

    An accepted decision appears as its latest frozen version, with that version's hash and
    approvals (the same PDF as the version's download); any other as its current record.
    """
    parts, entries = [], []
    for i, decision in enumerate(decisions, start=1):
        version, history = _latest_version(decision)
        if version is not None:
            record = Record.from_dict(version.snapshot)
            pdf = version_pdf(record, version, history)
        else:
            record = decision.to_record()
            pdf = record_pdf(record)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        parts.append(pdf)
        entries.append({"record": record, "version": version, "pages": pages})
        progress(i)
    cover = _cover(workspace, entries)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)))
    for entry, pdf in zip(entries, parts, strict=True):
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(pdf)))
        writer.add_outline_item(
            title=f"{entry['record'].ref} {entry['record'].title}", page_number=start
        )
    writer.add_metadata({"/Title": f"Board pack: {workspace.name}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _cover(workspace, entries: list[dict]) -> bytes:
    """The cover and contents; rendered twice when the contents push the start pages on."""
    cover_pages = 1
    for _ in range(3):
        page = cover_pages + 1
        for entry in entries:
            entry["start"] = page
            page += entry["pages"]
        html = render_to_string(
            "exports/board_pack_cover.html",
            {"workspace": workspace, "entries": entries, "today": timezone.localdate()},
        )
        pdf = html_to_pdf(html)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        if pages == cover_pages:
            return pdf
        cover_pages = pages
    return pdf
