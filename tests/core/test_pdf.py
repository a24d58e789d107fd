import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import BytesIO

import pytest
from pypdf import PdfReader

from apps.core.pdf import html_to_pdf
from apps.decisions.record import Record
from apps.exports.render import record_pdf


@pytest.fixture
def canary():
    """A local HTTP server that counts every request it receives."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's API
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def hostile_markdown(base: str) -> str:
    return f"""
![passwd](file:///etc/passwd)

![canary]({base}/image.png)

[attachment]({base}/attachment.txt)

<link rel="attachment" href="{base}/link-attachment.txt">
<link rel="stylesheet" href="{base}/style.css">
<a rel="attachment" href="file:///etc/passwd">passwd</a>
<style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png") }}</style>
<img src="{base}/img.png">
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
    base, hits = canary
    record = Record(title="Hostile", number=1, context=hostile_markdown(base))
    pdf = record_pdf(record)
    assert hits == []
    assert embedded_files(pdf) == []
    assert "Hostile" in PdfReader(BytesIO(pdf)).pages[0].extract_text()


def test_its_fetcher_refuses_everything_even_without_the_sanitiser(canary):
    """Raw HTML straight to WeasyPrint: the fetcher alone must hold."""
    base, hits = canary
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="attachment" href="file:///etc/passwd">
      <link rel="attachment" href="{base}/attach.txt">
      <style>@import url("{base}/import.css"); p {{ background: url("{base}/bg.png") }}
             @font-face {{ font-family: x; src: url("{base}/font.woff") }}</style>
    </head><body>
      <p>Raw</p>
      <img src="file:///etc/passwd"><img src="{base}/img.png">
      <a rel="attachment" href="file:///etc/passwd">passwd</a>
      <a rel="attachment" href="{base}/a.txt">a</a>
      <object data="{base}/object"></object><embed src="{base}/embed">
      <iframe src="{base}/frame"></iframe>
    </body></html>"""
    pdf = html_to_pdf(html)
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
    import time

    from apps.core.pdf import PdfRenderError

    cells = "<tr>" + "<td>x</td>" * 200 + "</tr>"
    html = "<table>" + cells * 5000 + "</table>"
    started = time.monotonic()
    with pytest.raises(PdfRenderError, match="longer than 1 seconds"):
        html_to_pdf(html, timeout=1)
    assert time.monotonic() - started < 5


def test_it_stops_a_document_that_needs_too_much_memory():
    from apps.core.pdf import PdfRenderError

    html = "<p>" + "word " * 400_000 + "</p>"
    with pytest.raises(PdfRenderError, match="memory"):
        html_to_pdf(html, timeout=60, memory_mb=200)


def test_it_keeps_the_database_connection_of_the_parent(db, django_user_model):
    django_user_model.objects.create(username="before")
    html_to_pdf("<p>Hello</p>")
    assert django_user_model.objects.filter(username="before").exists()
