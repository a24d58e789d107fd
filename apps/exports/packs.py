"""Building exports: the zip of a workspace's log, and the board pack PDF."""

from __future__ import annotations

import bisect
import io
import re
import time
import zipfile
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.pdf import PdfRenderError, html_to_pdf
from apps.core.pdfjoin import anchor_pages, join, page_count
from apps.decisions.models import Decision, Status
from apps.decisions.printing import Printed, printed_pdf
from apps.decisions.rendering import (
    decision_markdown,
    entry_of,
    export_record,
    folder_paths,
    printed_record,
)
from apps.formats.record import Record
from apps.formats.writers import FORMATS
from apps.versions.rendering import printed_version

Progress = Callable[[int], None]

# Statuses whose text is a frozen version, when the decision has one: what the board signed.
FROZEN_STATUSES = {Status.ACCEPTED, Status.SUPERSEDED, Status.DEPRECATED}


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


# --- PDFs: a decision's own, and the board pack -------------------------------------------------


def printed_decision(decision: Decision, workspace_name: str) -> Printed:
    """A decision as its PDF prints it, here and in every board pack.

    Accepted, superseded or deprecated with a frozen version: that version (its hash, approvals
    and Markdown attached). Any other, or one accepted without a review here: its record now.
    Reads `decision.versions` prefetched in order when given (see tasks.decisions_for).
    """
    history = list(decision.versions.all())
    if history and decision.status in FROZEN_STATUSES:
        return printed_version(history[-1], history, workspace_name, decision.status)
    return printed_record(decision.to_record(), workspace_name, history)


def decision_pdf(decision: Decision) -> bytes:
    """The PDF of one decision, as the decision page downloads it."""
    return printed_pdf(printed_decision(decision, decision.workspace.name))


def pack_html(documents: list[Printed], workspace, contents: list | None = None) -> str:
    """The pack as one HTML document: the cover with the contents, then each decision's block.

    `contents` is the rows of the contents, (doc, page): by default every document's, its page
    left to WeasyPrint. A section of a pack gives no contents; the front of one gives no
    documents and the pages it counted.
    """
    if contents is None:
        contents = [(doc, None) for doc in documents]
    return render_to_string(
        "exports/board_pack.html",
        {
            "workspace": workspace,
            "documents": documents,
            "contents": contents,
            "today": timezone.localdate(),
        },
    )


# Progress while WeasyPrint lays out the one document: a decision counts as done once layout has
# passed the page where it is expected to end, from its text's length. An estimate for the bar
# only; the contents' page numbers come from the layout itself.
CHARACTERS_PER_PAGE = 3000


def expected_ends(documents: list[Printed]) -> list[float]:
    page, ends = 1 + len(documents) / 30, []
    for doc in documents:
        page += 1 + len(doc.body) / CHARACTERS_PER_PAGE
        ends.append(page)
    return ends


def board_pack(decisions: list[Decision], workspace, progress: Progress) -> bytes:
    """One PDF/A document: the cover with the contents, then each decision as its own PDF shows
    it (`printed_decision`). Its page numbers run through the pack, the contents' page numbers
    are where each title stands, and each decision has one bookmark with its sections below.

    Up to ADROIT_PACK_SECTION_SIZE decisions are one WeasyPrint document, which gives all that
    by construction. A bigger pack is rendered in sections (`sectioned_pack`): WeasyPrint holds
    every laid-out page until it writes the file, about 1.2 MB a page here, so 200 decisions in
    one document need 1.5 GB (docs/benchmarks.md, "Board packs").
    """
    documents = [printed_decision(decision, workspace.name) for decision in decisions]
    if len(documents) > settings.ADROIT_PACK_SECTION_SIZE:
        return sectioned_pack(documents, workspace, progress, settings.ADROIT_PACK_SECTION_SIZE)
    return html_to_pdf(
        pack_html(documents, workspace),
        timeout=settings.ADROIT_PACK_TIMEOUT,
        memory_mb=settings.ADROIT_PACK_MEMORY_MB,
        attachments=tuple(a for doc in documents for a in doc.attachments()),
        pages=_laid_out(documents, 0, len(documents), progress),
    )


def _laid_out(
    documents: list[Printed], before: int, total: int, progress: Progress
) -> Callable[[int], None]:
    """Hears each page of `documents` as layout reaches it and reports the decisions passed,
    `before` being those of earlier sections; never all `total`, which only the file says."""
    ends, done = expected_ends(documents), before

    def laid_out(page: int) -> None:
        nonlocal done
        now = min(before + bisect.bisect_right(ends, page), total - 1)
        if now > done:
            done = now
            progress(done)

    return laid_out


# Sections render with this sheet too: no footers of their own (see print-section.css).
SECTION_STYLES = ("css/print.css", "css/print-section.css")


def sectioned_pack(documents: list[Printed], workspace, progress: Progress, size: int) -> bytes:
    """The pack as `board_pack` describes it, its decisions rendered `size` at a time, each
    section in its own child process that ends before the next starts, so the peak is one
    section's. Then the front (cover and contents), once the page of each title is known, and
    a page of footers per page ("Page 7 of 1149"); `pdfjoin.join` makes them one document.
    Pages break the same way as in one document: each decision starts a page.
    """
    deadline = time.monotonic() + settings.ADROIT_PACK_TIMEOUT

    def render(html: str, stylesheets=SECTION_STYLES, **options) -> bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise PdfRenderError(
                f"The PDF took longer than {settings.ADROIT_PACK_TIMEOUT:g} seconds to render."
            )
        return html_to_pdf(
            html,
            stylesheets,
            timeout=left,
            memory_mb=settings.ADROIT_PACK_MEMORY_MB,
            **options,
        )

    sections, starts, body_pages = [], {}, 0
    for first in range(0, len(documents), size):
        part = documents[first : first + size]
        html = pack_html(part, workspace, contents=[])
        pdf = render(html, pages=_laid_out(part, first, len(documents), progress))
        pages, anchors = anchor_pages(pdf)
        starts.update({doc.anchor: body_pages + anchors[doc.anchor] for doc in part})
        sections.append(pdf)
        body_pages += pages

    # The front's length shifts every number in it; digits are all one width in the pack's
    # fonts, so the second rendering, with the right numbers, keeps the first one's length.
    attachments = tuple(a for doc in documents for a in doc.attachments())
    front_pages = 1
    for _ in range(3):
        contents = [(doc, front_pages + starts[doc.anchor] + 1) for doc in documents]
        front = render(pack_html([], workspace, contents), attachments=attachments)
        if page_count(front) == front_pages:
            break
        front_pages = page_count(front)
    else:
        raise PdfRenderError("The board pack's contents would not settle on a length.")

    footers = [f"Board pack · {workspace.name}"] * front_pages
    by_start = sorted((starts[doc.anchor], doc.footer) for doc in documents)
    for index, (start, footer) in enumerate(by_start):
        end = by_start[index + 1][0] if index + 1 < len(by_start) else body_pages
        footers += [footer] * (end - start)
    stamps = render(
        render_to_string(
            "exports/board_pack_footers.html", {"workspace": workspace, "footers": footers}
        ),
        stylesheets=("css/print.css",),
    )
    return join(front, sections, stamps)
