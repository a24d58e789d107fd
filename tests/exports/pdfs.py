"""Reading what a PDF prints, with pypdf: page texts, footers, the contents' rows, fonts, XMP."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from apps.decisions.printing import WATERMARKS

FOOTER = re.compile(r"Page (\d+) of (\d+)")
# What every page carries besides its content: the footer, a watermark word, list bullets.
WATERMARK_WORDS = set(WATERMARKS.values())


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def footer(text: str) -> tuple[str, int, int]:
    """(what the footer's left says, page number, pages) of a page's text."""
    for line in text.splitlines():
        if match := FOOTER.search(line):
            return line[: match.start()].strip(), int(match[1]), int(match[2])
    raise AssertionError(f"No page number on this page:\n{text}")


def flat(text: str) -> str:
    """The text as one line: words joined again where the layout broke a line or a hyphen."""
    return " ".join(text.replace("-\n", "-").split())


def content_lines(text: str) -> list[str]:
    """The lines a page says, without its footer, its watermark and lone list bullets."""
    return [
        line
        for line in (line.strip() for line in text.splitlines())
        if line and line != "•" and line not in WATERMARK_WORDS and not FOOTER.search(line)
    ]


@dataclass
class Fragment:
    text: str
    x: float
    y: float


def fragments(pdf: bytes, page: int) -> list[Fragment]:
    """Each piece of text of a page with where it starts (PDF points, from the bottom left)."""
    found: list[Fragment] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append(Fragment(text.strip(), x, y))

    reader(pdf).pages[page].extract_text(visitor_text=visit)
    return found


def contents_rows(pdf: bytes) -> dict[str, int]:
    """{ref: page number} as the contents page prints them: each row's ref in its first column
    and the number at the right end of the same line."""
    pieces = fragments(pdf, 0)
    refs = [f for f in pieces if re.match(r"ADR-\d{4}\b", f.text)]
    numbers = [f for f in pieces if f.text.isdigit()]
    rows = {}
    for ref in refs:
        same_line = [n for n in numbers if abs(n.y - ref.y) < 1 and n.x > ref.x]
        assert same_line, f"No page number beside {ref.text}"
        rows[ref.text[:8]] = int(max(same_line, key=lambda n: n.x).text)
    return rows


def _fonts(resources, seen: set) -> list[DictionaryObject]:
    """Every font a page's resources use, following form XObjects and patterns (a watermark's
    text is drawn inside one)."""
    if isinstance(resources, IndirectObject):
        resources = resources.get_object()
    if not resources:
        return []
    found = []
    for font in (resources.get("/Font") or {}).values():
        found.append(font.get_object())
    for kind in ("/XObject", "/Pattern"):
        for ref in (resources.get(kind) or {}).values():
            key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
            if key in seen:
                continue
            seen.add(key)
            found += _fonts(ref.get_object().get("/Resources"), seen)
    return found


def unembedded_fonts(pdf: bytes) -> list[str]:
    """Names of the fonts used without their font program in the file (PDF/A forbids them)."""
    missing, seen, count = [], set(), 0
    for page in reader(pdf).pages:
        for font in _fonts(page.get("/Resources"), seen):
            count += 1
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if not {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor):
                missing.append(str(font.get("/BaseFont")))
    assert count, "The PDF uses no font at all"
    return missing


def font_programs(pdf: bytes) -> dict[str, set[bytes]]:
    """{font name: the distinct font programs embedded under that name}. Joined PDFs may name
    two different subsets of one font alike, which viewers can take for one font."""
    programs: dict[str, set[bytes]] = {}
    seen: set = set()
    for page in reader(pdf).pages:
        for font in _fonts(page.get("/Resources"), seen):
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            program = descriptor.get_object()["/FontFile2"].get_object().get_data()
            programs.setdefault(str(font["/BaseFont"]), set()).add(program)
    return programs


def pdfa_identification(pdf: bytes) -> tuple[str, str]:
    """(pdfaid:part, pdfaid:conformance) from the document's XMP metadata."""
    xmp = reader(pdf).xmp_metadata
    assert xmp is not None, "No XMP metadata"
    data = xmp.stream.get_data().decode()
    part = re.search(r'pdfaid:part(?:="|>)(\d)', data)
    conformance = re.search(r'pdfaid:conformance(?:="|>)([ABU])', data)
    assert part and conformance, data
    return part[1], conformance[1]


def attachment_hashes(pdf: bytes) -> dict[str, str]:
    """{file name: SHA-256 of its bytes} of the files attached to the PDF."""
    return {
        name: hashlib.sha256(contents[0]).hexdigest()
        for name, contents in reader(pdf).attachments.items()
    }


def outline(pdf: bytes) -> list[tuple[str, int, list[str]]]:
    """The top-level bookmarks: (title, page index, the titles below it)."""
    pdf_reader = reader(pdf)
    items, result = list(pdf_reader.outline), []
    for i, item in enumerate(items):
        if isinstance(item, list):
            continue
        below = items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], list) else []
        children = [child.title for child in below if not isinstance(child, list)]
        result.append((item.title, pdf_reader.get_destination_page_number(item), children))
    return result
