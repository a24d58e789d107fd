"""HTML to PDF with WeasyPrint, fetching nothing but our own static files.

A decision's text is user input. WeasyPrint would otherwise follow `file:` URLs, `http:` to any
host (our own database admin, a cloud metadata service), CSS `url()` and `@import`, and embed
`<link rel=attachment>` files into the PDF. The fetcher below answers only `data:` URLs and files
found by Django's static finders under a private origin; everything else is refused before any
connection is made, and redirects cannot happen because nothing is ever opened over the network.
"""

from __future__ import annotations

import base64
import mimetypes
import multiprocessing
import os
import resource
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
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


def render_in_process(html: str, stylesheets: tuple[str, ...] = ("css/print.css",)) -> bytes:
    """Render complete HTML to PDF bytes in this process; stylesheets are static file paths."""
    fetcher = StaticOnlyFetcher()
    sheets = [CSS(url=STATIC_ORIGIN + name, url_fetcher=fetcher) for name in stylesheets]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=sheets)


def html_to_pdf(
    html: str,
    stylesheets: tuple[str, ...] = ("css/print.css",),
    timeout: float | None = None,
    memory_mb: int | None = None,
) -> bytes:
    """Render in a child process with a time and memory cap.

    A pathological document (deep nesting, a million table cells) can make WeasyPrint run for
    minutes or exhaust memory; in a child it only costs that child, never the server.
    """
    timeout = timeout if timeout is not None else settings.ADROIT_PDF_TIMEOUT
    memory_mb = memory_mb if memory_mb is not None else settings.ADROIT_PDF_MEMORY_MB
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, html, stylesheets, memory_mb))
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise PdfRenderError(f"The PDF took longer than {timeout:g} seconds to render.")
        outcome, payload = receiver.recv()
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


def _child(sender, html: str, stylesheets: tuple[str, ...], memory_mb: int) -> None:
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        sender.send(("ok", render_in_process(html, stylesheets)))
    except MemoryError:
        sender.send(("error", f"The PDF needs more than {memory_mb} MB of memory to render."))
    except Exception as error:  # noqa: BLE001 - report any failure to the parent
        sender.send(("error", f"The PDF could not be rendered: {type(error).__name__}."))
    finally:
        sender.close()
        # Leave without Python's clean-up: the inherited database connection belongs to the
        # parent, and closing it here would close it there too.
        os._exit(0)
