"""HTML to PDF with WeasyPrint, fetching nothing but our own static files.

A decision's text is user input. WeasyPrint would otherwise follow `file:` URLs, `http:` to any
host (our own database admin, a cloud metadata service), CSS `url()` and `@import`, and embed
`<link rel=attachment>` files into the PDF. The fetcher (apps/core/weasy.py) answers only `data:`
URLs and files found by Django's static finders under a private origin; everything else is
refused before any connection is made, and redirects cannot happen because nothing is ever opened
over the network.

WeasyPrint itself is imported at the first PDF (apps/core/weasy.py), not with this module: the
models import this module, so every `manage.py` command would otherwise load WeasyPrint and its
C libraries, most of a second of CPU, to render nothing. config/wsgi.py loads it at a server's
start, so no reader's first PDF waits for it.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

# Relative URLs in our templates resolve against this origin. `.invalid` can never resolve, so even
# a bug that let a request through would not reach a host.
STATIC_ORIGIN = "https://adroit.invalid/static/"
BASE_URL = "https://adroit.invalid/"


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


def write_options(attachments: tuple[FileAttachment, ...] = (), fetcher=None) -> dict:
    """WeasyPrint's `write_pdf` options for every Adroit PDF; the bench's baseline uses them."""
    from apps.core import weasy

    return weasy.write_options(attachments, fetcher)


def render_in_process(
    html: str,
    stylesheets: tuple[str, ...] = ("css/print.css",),
    attachments: tuple[FileAttachment, ...] = (),
    pages: Callable[[int], None] | None = None,
) -> bytes:
    """`weasy.render_in_process`, imported at the first PDF rather than with this module."""
    from apps.core import weasy

    return weasy.render_in_process(html, stylesheets, attachments, pages)


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
    # Loaded here, before the fork, so the child starts with WeasyPrint in memory instead of
    # importing it under its memory cap (and every render paying for the import again).
    from apps.core import weasy

    weasy.parse_stylesheets(stylesheets)  # once here, so that every child starts with them
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
