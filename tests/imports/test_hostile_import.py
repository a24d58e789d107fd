"""Hostile files through the web import, upload and confirm (issue 13, item 11): a NUL byte and
front matter nested 3,000 deep get a clear word on the page, never a 500. Run on SQLite and on
PostgreSQL (DATABASE_URL), which refuses NUL in text and in JSON."""

from __future__ import annotations

import html

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.decisions.models import Decision
from apps.imports.models import PendingImport

from .test_import import nygard
from .test_import_views import zip_file


def upload_and_preview(client, *files) -> str:
    response = client.post("/w/team/import/", {"format": "auto", "files": list(files)})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    return html.unescape(page.content.decode())


def confirm(client) -> int:
    response = client.post(f"/w/team/import/{PendingImport.objects.get().pk}/confirm/")
    return response.status_code


def test_a_nul_byte_is_removed_with_a_warning_and_the_file_imports(author_client, workspace):
    text = nygard(1, "Use\x00 NUL").replace(b"Why.", b"Wh\x00y.")

    preview = upload_and_preview(author_client, SimpleUploadedFile("0001-nul.md", text))

    assert "2 NUL byte(s) removed: they are not text" in preview
    assert confirm(author_client) == 302
    decision = Decision.objects.get()
    assert (decision.title, decision.context) == ("Use NUL", "Why.")


def test_a_nul_byte_in_a_file_name_does_not_break_the_import(author_client, workspace):
    # zipfile cuts a member's name at NUL: "0001-a" is no Markdown file and is skipped.
    upload = zip_file(
        "adr.zip", {"adr/0001-a\x00b.md": nygard(1, "A"), "adr/0002-b.md": nygard(2, "B")}
    )
    plain = SimpleUploadedFile("0003-c\x00.md", nygard(3, "C"))

    response = author_client.post("/w/team/import/", {"format": "auto", "files": [upload, plain]})

    page = html.unescape(author_client.get(response["Location"]).content.decode())
    assert "1 file(s) in adr.zip are not Markdown and were skipped" in page
    assert confirm(author_client) == 302
    assert sorted(Decision.objects.values_list("title", flat=True)) == ["B", "C"]


def test_front_matter_nested_3000_deep_is_refused_for_that_file_alone(author_client, workspace):
    deep = b"---\ntags: " + b"[" * 3000 + b"]" * 3000 + b"\n---\n# 1. Deep\n"
    files = [
        SimpleUploadedFile("0001-deep.md", deep),
        SimpleUploadedFile("0002-b.md", nygard(2, "B")),
    ]

    preview = upload_and_preview(author_client, *files)

    assert "Not imported: cannot be read" in preview and "0001-deep.md" in preview
    assert confirm(author_client) == 302
    assert list(Decision.objects.values_list("title", flat=True)) == ["B"]


def test_an_upload_of_only_unreadable_files_says_why_on_the_form(author_client, workspace):
    latin = SimpleUploadedFile("0001-latin.md", "# 1. Café\n".encode("latin-1"))
    readme = SimpleUploadedFile("README.md", b"# Decisions\n")

    response = author_client.post("/w/team/import/", {"format": "auto", "files": [latin, readme]})

    page = html.unescape(response.content.decode())
    assert response.status_code == 422
    assert "No decision to import among these files." in page
    assert "0001-latin.md, line 1: not UTF-8 (invalid byte at offset 8)" in page
    assert "README.md: not a decision (README, index or template)" in page
