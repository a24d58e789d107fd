"""HTML to PDF with WeasyPrint, fetching nothing but our own static files.

A decision's text is user input. WeasyPrint would otherwise follow `file:` URLs, `http:` to any
host (our own database admin, a cloud metadata service), CSS `url()` and `@import`, and embed
`<link rel=attachment>` files into the PDF. The fetcher below answers only `data:` URLs and files
found by Django's static finders under a private origin; everything else is refused before any
connection is made, and redirects cannot happen because nothing is ever opened over the network.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML, Attachment
from weasyprint.logger import PROGRESS_LOGGER
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in our templates resolve against this origin. `.invalid` can never resolve, so even
# a bug that let a request through would not reach a host.
STATIC_ORIGIN = "https://adroit.invalid/static/"
BASE_URL = "https://adroit.invalid/"


class RefusedFetch(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    def __init__(self) -> None:
        super().__init__(allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return _data_url(url)
        if url.startswith(STATIC_ORIGIN):
            parts = urlsplit(url)
            relative = unquote(parts.path.removeprefix(urlsplit(STATIC_ORIGIN).path))
            path = _static_file(relative)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, path.read_bytes(), headers={"Content-Type": content_type}
                )
        self.refused.append(url)
        raise RefusedFetch(f"Adroit fetches only its own static files, not {url[:200]}")


def _static_file(relative: str) -> Path | None:
    # Finders already refuse absolute paths and `..`; check again, since this guards the disk.
    if relative.startswith("/") or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    return Path(found) if found else None


def _data_url(url: str) -> URLFetcherResponse:
    header, _, payload = url[5:].partition(",")
    is_base64 = header.endswith(";base64")
    content_type = header.removesuffix(";base64").split(";")[0] or "text/plain"
    body = base64.b64decode(payload) if is_base64 else unquote(payload).encode()
    return URLFetcherResponse(url, body, headers={"Content-Type": content_type})


class PdfRenderError(RuntimeError):
    """The document could not be rendered within Adroit's time and memory limits."""


# Every PDF Adroit writes is PDF/A-3u (archival: every font embedded, Unicode text, sRGB output
# intent; level 3 allows attached files), and tagged for accessibility: WeasyPrint 70 combines
# `pdf_tags` with a `-u` level, while its `-a` levels promise more than it can check.
PDF_VARIANT = "pdf/a-3u"


@dataclass(frozen=True)
class FileAttachment:
    """A file carried inside the PDF (PDF/A-3 `AF`), such as a version's frozen Markdown."""

    name: str
    content: bytes
    description: str = ""
    relationship: str = "Source"  # the PDF renders this file (ISO 32000-2, 7.11.3)


# The progress logger names each page as layout reaches it: "Step 5 - Creating layout - Page 7".
_LAYOUT_PAGE = "Step 5 - Creating layout - Page %d"


class _PageProgress(logging.Handler):
    """Reports each newly laid-out page once (a re-layout for `counter(pages)` is not news)."""

    def __init__(self, report: Callable[[int], None]) -> None:
        super().__init__(logging.INFO)
        self.report = report
        self.seen = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == _LAYOUT_PAGE and record.args and record.args[0] > self.seen:
            self.seen = record.args[0]
            self.report(self.seen)


def write_options(attachments: tuple[FileAttachment, ...] = (), fetcher=None) -> dict:
    """WeasyPrint's `write_pdf` options for every Adroit PDF; the bench's baseline uses them."""
    return {
        "pdf_variant": PDF_VARIANT,
        "pdf_tags": True,
        "attachments": [
            Attachment(
                string=a.content,
                url_fetcher=fetcher,
                name=a.name,
                description=a.description,
                relationship=a.relationship,
            )
            for a in attachments
        ],
    }


def render_in_process(
    html: str,
    stylesheets: tuple[str, ...] = ("css/print.css",),
    attachments: tuple[FileAttachment, ...] = (),
    pages: Callable[[int], None] | None = None,
) -> bytes:
    """Render complete HTML to PDF bytes in this process; stylesheets are static file paths.

    `pages` hears the number of each page as layout reaches it.
    """
    fetcher = StaticOnlyFetcher()
    sheets = [CSS(url=STATIC_ORIGIN + name, url_fetcher=fetcher) for name in stylesheets]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    if pages is None:
        return document.write_pdf(stylesheets=sheets, **write_options(attachments, fetcher))
    # Heard here only: the progress messages must not reach the server's log handlers.
    handler, before = _PageProgress(pages), (PROGRESS_LOGGER.level, PROGRESS_LOGGER.propagate)
    PROGRESS_LOGGER.addHandler(handler)
    PROGRESS_LOGGER.setLevel(logging.INFO)
    PROGRESS_LOGGER.propagate = False
    try:
        return document.write_pdf(stylesheets=sheets, **write_options(attachments, fetcher))
    finally:
        PROGRESS_LOGGER.removeHandler(handler)
        PROGRESS_LOGGER.setLevel(before[0])
        PROGRESS_LOGGER.propagate = before[1]


def html_to_pdf(
    html: str,
    stylesheets: tuple[str, ...] = ("css/print.css",),
    timeout: float | None = None,
    memory_mb: int | None = None,
    attachments: tuple[FileAttachment, ...] = (),
    pages: Callable[[int], None] | None = None,
) -> bytes:
    """Render in a child process with a time and memory cap.

    A pathological document (deep nesting, a million table cells) can make WeasyPrint run for
    minutes or exhaust memory; in a child it only costs that child, never the server. `pages`
    hears, in this process, the number of each page as the child's layout reaches it.
    """
    timeout = timeout if timeout is not None else settings.ADROIT_PDF_TIMEOUT
    memory_mb = memory_mb if memory_mb is not None else settings.ADROIT_PDF_MEMORY_MB
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child,
        args=(sender, html, stylesheets, memory_mb, attachments, pages is not None),
    )
    child.start()
    sender.close()
    deadline = time.monotonic() + timeout
    try:
        while True:
            if not receiver.poll(max(deadline - time.monotonic(), 0)):
                raise PdfRenderError(f"The PDF took longer than {timeout:g} seconds to render.")
            outcome, payload = receiver.recv()
            if outcome != "page":
                break
            pages(payload)
    except EOFError:
        # Pango and GLib abort the process outright when an allocation fails.
        raise PdfRenderError(
            f"The PDF renderer stopped without a result; the document may need more than "
            f"{memory_mb} MB of memory."
        ) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome != "ok":
        raise PdfRenderError(payload)
    return payload


def _child(
    sender,
    html: str,
    stylesheets: tuple[str, ...],
    memory_mb: int,
    attachments: tuple[FileAttachment, ...],
    report_pages: bool,
) -> None:
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        pages = (lambda number: sender.send(("page", number))) if report_pages else None
        sender.send(("ok", render_in_process(html, stylesheets, attachments, pages)))
    except MemoryError:
        sender.send(("error", f"The PDF needs more than {memory_mb} MB of memory to render."))
    except Exception as error:  # noqa: BLE001 - report any failure to the parent
        sender.send(("error", f"The PDF could not be rendered: {type(error).__name__}."))
    finally:
        sender.close()
        # Leave without Python's clean-up: the inherited database connection belongs to the
        # parent, and closing it here would close it there too.
        os._exit(0)
