import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import pytest
from pypdf import PdfReader

from apps.core.pdf import FileAttachment, PdfRenderError, html_to_pdf
from apps.core.weasy import stylesheet
from apps.decisions.models import Decision
from apps.decisions.rendering import record_pdf
from apps.exports.packs import board_pack
from apps.exports.tasks import pack_decisions
from apps.formats.record import Record

from ..factories import make_decision


def start_canary(hits: list[str], redirect_to: str | None = None) -> ThreadingHTTPServer:
    """A local server that records every connection it accepts, whatever is spoken on it.

    Counting connections, not only parsed requests, catches a TLS handshake sent to it by an
    `https://` URL too. With `redirect_to` it answers every GET with a 302 there.
    """

    class Handler(BaseHTTPRequestHandler):
        timeout = 2  # a TLS client waits for the server to speak first: don't hang on it

        def handle(self):
            hits.append(f"connection to {self.server.server_port}")
            super().handle()

        def do_GET(self):  # noqa: N802 - http.server's API
            hits.append(f"GET {self.path} on {self.server.server_port}")
            if redirect_to:
                self.send_response(302)
                self.send_header("Location", f"{redirect_to}{self.path}")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # shutdown() waits for the loop to look up: every half second by default, too long for
    # the two servers of each of a dozen tests.
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server


@pytest.fixture
def canary():
    """Three URL bases on local servers sharing one list of hits: plain http, one answering 302
    to a second server, and https to the first (which hears the handshake)."""
    hits: list[str] = []
    target = start_canary(hits)
    redirecting = start_canary(hits, redirect_to=f"http://127.0.0.1:{target.server_port}")
    yield (
        f"http://127.0.0.1:{target.server_port}",
        f"http://127.0.0.1:{redirecting.server_port}",
        f"https://127.0.0.1:{target.server_port}",
        hits,
    )
    for server in (target, redirecting):
        server.shutdown()
        server.server_close()


def hostile_markdown(base: str, redirect: str, secure: str) -> str:
    return f"""
![passwd](file:///etc/passwd)

![canary]({base}/image.png)

![redirected]({redirect}/image.png)

![secure]({secure}/image.png)

[attachment]({base}/attachment.txt)

<link rel="attachment" href="{base}/link-attachment.txt">
<link rel="attachment" href="{redirect}/link-attachment.txt">
<link rel="stylesheet" href="{base}/style.css">
<link rel="stylesheet" href="{secure}/style.css">
<a rel="attachment" href="file:///etc/passwd">passwd</a>
<a rel="attachment" href="{base}/a-attachment.txt">a</a>
<a rel="attachment" href="{redirect}/a-attachment.txt">a</a>
<style>@import url("{base}/import.css"); @import url("{redirect}/import.css");
body {{ background: url("{base}/bg.png") }} p {{ background: url("{secure}/bg.png") }}</style>
<img src="{base}/img.png">
<img src="{redirect}/img.png">
<img src="{secure}/img.png">
<object data="{base}/object"></object>
"""


def embedded_files(pdf: bytes) -> list[str]:
    reader = PdfReader(BytesIO(pdf))
    names = reader.trailer["/Root"].get("/Names", {})
    files = list(names.get("/EmbeddedFiles", {}).get("/Names", [])) if names else []
    annotations = [
        a.get_object().get("/Subtype")
        for page in reader.pages
        for a in page.get("/Annots", []) or []
    ]
    return files + [a for a in annotations if a == "/FileAttachment"]


def test_it_fetches_nothing_for_a_hostile_record(canary):
    base, redirect, secure, hits = canary
    record = Record(title="Hostile", number=1, context=hostile_markdown(base, redirect, secure))
    pdf = record_pdf(record)
    assert hits == []
    assert embedded_files(pdf) == []
    assert "Hostile" in PdfReader(BytesIO(pdf)).pages[0].extract_text()


def test_its_fetcher_refuses_everything_even_without_the_sanitiser(canary):
    """Raw HTML straight to WeasyPrint: the fetcher alone must hold."""
    base, redirect, secure, hits = canary
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="stylesheet" href="{redirect}/style.css">
      <link rel="stylesheet" href="{secure}/style.css">
      <link rel="attachment" href="file:///etc/passwd">
      <link rel="attachment" href="{base}/attach.txt">
      <link rel="attachment" href="{redirect}/attach.txt">
      <link rel="attachment" href="{secure}/attach.txt">
      <style>@import url("{base}/import.css"); @import url("{redirect}/import.css");
             @import url("{secure}/import.css");
             p {{ background: url("{base}/bg.png") }}
             h1 {{ background: url("{redirect}/bg.png") }}
             @font-face {{ font-family: x; src: url("{base}/font.woff") }}</style>
    </head><body>
      <h1>Raw</h1><p>Raw</p>
      <img src="file:///etc/passwd"><img src="{base}/img.png">
      <img src="{redirect}/img.png"><img src="{secure}/img.png">
      <a rel="attachment" href="file:///etc/passwd">passwd</a>
      <a rel="attachment" href="{base}/a.txt">a</a>
      <a rel="attachment" href="{redirect}/a.txt">a</a>
      <a rel="attachment" href="{secure}/a.txt">a</a>
      <object data="{base}/object"></object><embed src="{base}/embed">
      <iframe src="{base}/frame"></iframe>
    </body></html>"""
    pdf = html_to_pdf(html)
    assert hits == []
    assert embedded_files(pdf) == []


@pytest.mark.parametrize("kind", ["redirect", "secure"])
@pytest.mark.parametrize(
    "template",
    [
        '<link rel="stylesheet" href="{url}/style.css"><p>x</p>',
        '<link rel="attachment" href="{url}/attach.txt"><p>x</p>',
        '<p><a rel="attachment" href="{url}/a.txt">a</a></p>',
        '<style>@import url("{url}/import.css");</style><p>x</p>',
        '<p style="background: url({url}/bg.png)">x</p>',
        '<img src="{url}/img.png">',
    ],
    ids=["stylesheet", "link-attachment", "a-attachment", "import", "css-url", "img"],
)
def test_its_fetcher_refuses_redirects_and_https_on_every_route(canary, kind, template):
    """Each route alone, so that one refused fetch cannot hide another that went through."""
    base, redirect, secure, hits = canary
    url = {"redirect": redirect, "secure": secure}[kind]
    pdf = html_to_pdf(template.format(url=url))
    assert hits == []
    assert embedded_files(pdf) == []


def test_it_reads_our_own_static_stylesheet_and_data_urls():
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    pdf = html_to_pdf(f'<p class="cover-ref">ADR-0001</p><img src="{pixel}"><p>Body</p>')
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    # The footer comes from @page rules in static/css/print.css, so the sheet was read.
    assert "Page 1 of 1" in text


def test_it_stops_a_pathological_document_within_its_time_cap():

    cells = "<tr>" + "<td>x</td>" * 200 + "</tr>"
    html = "<table>" + cells * 5000 + "</table>"
    started = time.monotonic()
    with pytest.raises(PdfRenderError, match="longer than 1 seconds"):
        html_to_pdf(html, timeout=1)
    assert time.monotonic() - started < 5


def test_it_stops_a_document_that_needs_too_much_memory():
    html = "<p>" + "word " * 400_000 + "</p>"
    with pytest.raises(PdfRenderError, match="memory"):
        html_to_pdf(html, timeout=60, memory_mb=200)


def test_it_keeps_the_database_connection_of_the_parent(db, django_user_model):
    django_user_model.objects.create(username="before")
    html_to_pdf("<p>Hello</p>")
    assert django_user_model.objects.filter(username="before").exists()


def test_it_fetches_nothing_for_a_hostile_record_in_a_board_pack(canary, workspace):
    """A pack is one document of many people's texts: the same guard holds for all of it."""
    base, redirect, secure, hits = canary
    make_decision(workspace, "Hostile", context=hostile_markdown(base, redirect, secure))
    make_decision(workspace, "Plain", context="Nothing to see.")
    decisions = pack_decisions(Decision.objects.filter(workspace=workspace))

    pdf = board_pack(decisions, workspace, lambda done: None)

    assert hits == []
    assert embedded_files(pdf) == []  # nothing frozen, so nothing attached, and nothing else
    assert "ADR-0001" in PdfReader(BytesIO(pdf)).pages[0].extract_text()


def test_it_tells_each_page_as_the_child_lays_it_out():
    heard: list[int] = []

    pdf = html_to_pdf(
        "<p>One</p>" + '<p style="break-before: page">Next</p>' * 4, pages=heard.append
    )

    assert heard == [1, 2, 3, 4, 5] and len(PdfReader(BytesIO(pdf)).pages) == 5


def test_it_attaches_files_byte_for_byte_to_a_pdf_a():
    body = "# ADR-0001\n\nCafé, naïve, 日本語.\n".encode()
    pdf = html_to_pdf("<p>Hello</p>", attachments=(FileAttachment("ADR-0001-v1.md", body),))

    reader = PdfReader(BytesIO(pdf))
    assert reader.attachments == {"ADR-0001-v1.md": [body]}
    assert b"pdfaid:part" in reader.xmp_metadata.stream.get_data()


def test_it_parses_a_stylesheet_once_per_version_of_its_file(settings, tmp_path):
    sheet = tmp_path / "css" / "cover.css"
    sheet.parent.mkdir()
    sheet.write_text("@page { @top-center { content: 'First edition' } }")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    first = stylesheet("css/cover.css")
    assert stylesheet("css/cover.css") is first
    assert "First edition" in pdf_text(html_to_pdf("<p>x</p>", stylesheets=("css/cover.css",)))

    sheet.write_text("@page { @top-center { content: 'Second edition' } }")
    later = sheet.stat().st_mtime_ns + 1_000_000_000  # a new version, however coarse the clock
    os.utime(sheet, ns=(later, later))

    assert stylesheet("css/cover.css") is not first
    assert "Second edition" in pdf_text(html_to_pdf("<p>x</p>", stylesheets=("css/cover.css",)))


def test_it_reports_a_missing_stylesheet_as_a_render_error():
    with pytest.raises(PdfRenderError):
        html_to_pdf("<p>x</p>", stylesheets=("css/no-such-sheet.css",))


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
