"""Upload limits: too big, too many, zip bombs, not a zip, wrong type, not UTF-8.

Each is refused whole, with a message naming the file, and nothing is saved. The limits are made
small with override_settings so that the data stays small: 10,485 bytes a file, 20,971 bytes in
all, three files at once.
"""

from __future__ import annotations

import html
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from apps.decisions.models import Decision
from apps.imports.models import PendingImport

from ..factories import make_decision
from .test_import import nygard

small_limits = override_settings(
    ADROIT_IMPORT_MAX_FILE_MB=0.01, ADROIT_IMPORT_MAX_TOTAL_MB=0.02, ADROIT_IMPORT_MAX_FILES=3
)


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, body in files.items():
            archive.writestr(member, body)
    return buffer.getvalue()


def with_central_field(data: bytes, offset: int, value: bytes) -> bytes:
    """The zip with a field of its (only) central directory entry rewritten."""
    forged = bytearray(data)
    at = forged.rfind(b"PK\x01\x02")
    forged[at + offset : at + offset + len(value)] = value
    return bytes(forged)


def padded(number: int, size: int) -> bytes:
    """A valid ADR of exactly `size` bytes."""
    body = nygard(number, f"Decision {number}")
    return body + b"x" * (size - len(body))


def import_command(*paths: Path) -> str:
    """Run import_adrs expecting a refusal; its error output."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="; nothing was imported"):
        call_command(
            "import_adrs", *map(str, paths), "--workspace", "team", stdout=io.StringIO(), stderr=err
        )
    return err.getvalue()


@pytest.fixture
def existing(workspace) -> int:
    """One decision already there: a refused import must leave exactly it."""
    make_decision(workspace, "Already here", number=7)
    return Decision.objects.count()


# --- zips, through the command line (the web shares the same checks) ---------------------------


@small_limits
def test_it_refuses_a_zip_member_over_the_per_file_limit(existing, tmp_path):
    path = tmp_path / "adrs.zip"
    path.write_bytes(zip_of({"0001-a.md": nygard(1, "A"), "0002-big.md": padded(2, 12_000)}))

    err = import_command(path)

    assert (
        "PROBLEM adrs.zip/0002-big.md: 12,000 bytes unpacked is more than the 10,485 allowed" in err
    )
    assert Decision.objects.count() == existing


@small_limits
def test_it_refuses_a_zip_whose_total_unpacked_size_is_over_the_limit(existing, tmp_path):
    path = tmp_path / "adrs.zip"
    members = {f"000{n}-a.md": padded(n, 8_000) for n in (1, 2, 3)}  # each fine, 24,000 in all
    path.write_bytes(zip_of(members))

    err = import_command(path)

    assert "PROBLEM adrs.zip: unpacks to 24,000 bytes, more than the 20,971 allowed" in err
    assert Decision.objects.count() == existing


@small_limits
def test_it_refuses_a_zip_with_more_files_than_allowed(existing, tmp_path):
    path = tmp_path / "adrs.zip"
    path.write_bytes(zip_of({f"000{n}-a.md": nygard(n, "A") for n in (1, 2, 3, 4)}))

    err = import_command(path)

    assert "PROBLEM adrs.zip: holds 4 ADR files; at most 3 at once" in err
    assert Decision.objects.count() == existing


@small_limits
def test_it_refuses_more_files_than_allowed_from_a_folder(existing, tmp_path):
    for n in (1, 2, 3, 4):
        (tmp_path / f"000{n}-a.md").write_bytes(nygard(n, "A"))

    err = import_command(tmp_path)

    assert "PROBLEM 4 files; at most 3 at once" in err
    assert Decision.objects.count() == existing


def test_it_refuses_a_file_named_zip_that_is_not_one(existing, tmp_path):
    path = tmp_path / "adrs.zip"
    path.write_bytes(nygard(1, "A"))

    err = import_command(path)

    assert "PROBLEM adrs.zip: not a readable zip file (File is not a zip file)" in err
    assert Decision.objects.count() == existing


@pytest.mark.parametrize(
    "offset, value, message",
    [
        (8, b"\x01\x00", "encrypted, or packed in a way Adroit cannot unpack"),  # flag bit 0
        (10, b"\x63\x00", "encrypted, or packed in a way Adroit cannot unpack"),  # method 99
    ],
    ids=["encrypted", "unknown compression"],
)
def test_it_refuses_a_zip_member_it_cannot_unpack(existing, tmp_path, offset, value, message):
    path = tmp_path / "adrs.zip"
    path.write_bytes(with_central_field(zip_of({"0001-a.md": nygard(1, "A")}), offset, value))

    err = import_command(path)

    assert f"PROBLEM adrs.zip/0001-a.md: {message}" in err
    assert Decision.objects.count() == existing


def test_it_refuses_a_huge_file_from_its_size_without_reading_it(existing, tmp_path):
    # A sparse file of 1 TiB: reading it would fail for want of memory, long before any check.
    folder = tmp_path / "adr"
    folder.mkdir()
    huge = folder / "0001-huge.md"
    with huge.open("wb") as file:
        file.truncate(2**40)
    huge_zip = tmp_path / "huge.zip"
    with huge_zip.open("wb") as file:
        file.truncate(2**40)

    err = import_command(folder, huge_zip)

    assert "PROBLEM 0001-huge.md: 1,099,511,627,776 bytes is more than the 5,242,880 allowed" in err
    assert (
        "PROBLEM huge.zip: 1,099,511,627,776 bytes is more than the 52,428,800"
        " a whole import may hold" in err
    )
    assert Decision.objects.count() == existing
    assert os.stat(huge).st_blocks == 0  # still sparse: the test did not write a terabyte


# --- the web import ---------------------------------------------------------------------------


def upload(client, *files: SimpleUploadedFile) -> str:
    """Post the files to the import; the problems it lists, as text."""
    response = client.post("/w/team/import/", {"format": "auto", "files": list(files)})
    assert response.status_code == 422
    problems = re.search(r'<div class="problems".*?</div>', response.content.decode(), re.S)
    assert problems, "the page lists no problems"
    assert "Nothing was imported." in problems[0]
    assert not PendingImport.objects.exists()
    return html.unescape(problems[0])


@small_limits
def test_the_web_import_refuses_a_zip_bomb(author_client, existing):
    # 5 MB of newlines packs into a few kilobytes.
    bomb = SimpleUploadedFile("bomb.zip", zip_of({"0001-a.md": padded(1, 200) + b"\n" * 5_000_000}))
    assert bomb.size < 10_000

    page = upload(author_client, bomb)

    assert "bomb.zip: unpacks to 5,000,200 bytes, more than the 20,971 allowed" in page
    assert Decision.objects.count() == existing


@small_limits
def test_the_web_import_refuses_a_zip_bomb_that_lies_about_its_size(author_client, existing):
    honest = zip_of({"0001-a.md": padded(1, 200) + b"\n" * 5_000_000})
    liar = with_central_field(honest, 24, (100).to_bytes(4, "little"))  # declared: 100 bytes

    page = upload(author_client, SimpleUploadedFile("bomb.zip", liar))

    assert "bomb.zip/0001-a.md: damaged or forged zip entry (Bad CRC-32 for file" in page
    assert Decision.objects.count() == existing


def test_the_web_import_refuses_a_wrong_file_type(author_client, existing):
    picture = SimpleUploadedFile("diagram.png", b"\x89PNG\r\n\x1a\n")
    fine = SimpleUploadedFile("0001-a.md", nygard(1, "A"))

    page = upload(author_client, picture, fine)

    assert (
        "diagram.png: not an ADR file: send Markdown (.md, .mdx, .markdown) or a .zip of them"
        in page
    )
    assert Decision.objects.count() == existing


def test_the_web_import_leaves_out_a_file_that_is_not_utf8_and_says_why(author_client, existing):
    latin = SimpleUploadedFile("0001-latin.md", "# 1. Café\n\nAccepted\n".encode("latin-1"))
    fine = SimpleUploadedFile("0002-b.md", nygard(2, "B"))

    response = author_client.post("/w/team/import/", {"format": "auto", "files": [latin, fine]})
    preview = html.unescape(author_client.get(response["Location"]).content.decode())

    assert "Not imported: cannot be read" in preview
    assert "0001-latin.md, line 1: not UTF-8 (invalid byte at offset 8)" in preview
    author_client.post(f"/w/team/import/{PendingImport.objects.get().pk}/confirm/")
    assert Decision.objects.count() == existing + 1
    assert Decision.objects.filter(title="B").exists()


@small_limits
def test_the_web_import_refuses_a_zip_larger_than_a_whole_import(author_client, existing):
    # Stored, not deflated, so that the zip itself is over the limit.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in (1, 2, 3):
            archive.writestr(f"000{n}-a.md", padded(n, 8_000))
    big = SimpleUploadedFile("big.zip", buffer.getvalue())

    page = upload(author_client, big)

    assert f"big.zip: {big.size:,} bytes is more than the 20,971 a whole import may hold" in page
    assert Decision.objects.count() == existing


@small_limits
def test_the_web_import_refuses_files_larger_in_all_than_a_whole_import(author_client, existing):
    files = [SimpleUploadedFile(f"000{n}-a.md", padded(n, 8_000)) for n in (1, 2, 3)]

    page = upload(author_client, *files)

    assert "24,000 bytes in all is more than the 20,971 a whole import may hold" in page
    assert Decision.objects.count() == existing
