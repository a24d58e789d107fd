"""Building exports: the zip of a workspace's log, and the board pack PDF."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from apps.core.pdf import html_to_pdf
from apps.decisions.models import Decision
from apps.decisions.rendering import record_pdf
from apps.formats.record import Record
from apps.formats.writers import file_name, write, write_index
from apps.versions.rendering import version_pdf

Progress = Callable[[int], None]


def log_zip(decisions: list[Decision], fmt: str, progress: Progress) -> bytes:
    """Every decision as a file in `fmt`, and the README index: the folder a team commits."""
    buffer = io.BytesIO()
    records = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, decision in enumerate(decisions, start=1):
            record = decision.to_record()
            archive.writestr(file_name(record, fmt), write(record, fmt))
            records.append(record)
            progress(i)
        archive.writestr("README.md", write_index(records, fmt))
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
