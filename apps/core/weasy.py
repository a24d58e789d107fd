"""What runs WeasyPrint: the fetcher that answers only our own static files, and rendering.

Imported by apps/core/pdf.py when a PDF is first rendered, and at a server's start by
config/wsgi.py; see apps/core/pdf.py for why it is kept out of every other import.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML, Attachment
from weasyprint.logger import PROGRESS_LOGGER
from weasyprint.urls import URLFetcher, URLFetcherResponse

from apps.core.pdf import BASE_URL, PDF_VARIANT, STATIC_ORIGIN, FileAttachment


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


# Parsed stylesheets by static path and file version. Parsing print.css took 6.5 ms of every
# PDF; a parsed stylesheet serves any number of documents, and the render child inherits the
# ones its parent parsed (apps/core/pdf.py asks for them before the fork).
_stylesheets: dict[tuple[str, int], CSS] = {}


def stylesheet(name: str, fetcher: StaticOnlyFetcher | None = None) -> CSS:
    """The static stylesheet `name`, parsed once per version of its file. Images it names are
    fetched when a document is rendered, by that document's fetcher; `fetcher` reads the file
    (and anything it imports) when it is parsed."""
    path = _static_file(name)
    key = (name, path.stat().st_mtime_ns) if path is not None else None
    sheet = _stylesheets.get(key)
    if sheet is None:
        # A missing file is refused by the fetcher, as any other, and never kept.
        sheet = CSS(url=STATIC_ORIGIN + name, url_fetcher=fetcher or StaticOnlyFetcher())
        if key is not None:
            _stylesheets[key] = sheet
    return sheet


def parse_stylesheets(names: tuple[str, ...]) -> None:
    """Parse these stylesheets now, those that exist: a missing one is the render's error."""
    for name in names:
        if _static_file(name) is not None:
            stylesheet(name)


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
    sheets = [stylesheet(name, fetcher) for name in stylesheets]
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
