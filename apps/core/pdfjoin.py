"""Joining PDFs that WeasyPrint wrote apart into one document, as if written in one piece.

A board pack of hundreds of decisions is rendered in sections (apps/exports/packs.py), because
WeasyPrint keeps every laid-out page in memory until it writes the file. `join` puts the
sections after the front matter and keeps what one document would have: bookmarks, named
destinations (the contents' links), the tag tree, and the front's PDF/A metadata, output intent
and attached files. Each page's footer comes from a separate stamps document, drawn over it,
since "Page 7 of 1149" can only be written once every section's pages are counted.
"""

from __future__ import annotations

import hashlib
import io
import re
import string

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree

# What a page draws over its own content: its footer, marked as a pagination artifact so that a
# screen reader skips it, as it skips the footers WeasyPrint draws itself.
_FOOTER = Name("/AdroitFooter")
_DRAW_FOOTER = (
    b"\nQ\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC q /AdroitFooter Do Q EMC\n"
)


def _open(pdf: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(pdf))


def _destinations(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    return dict(NameTree(names.Dests).items())


def anchor_pages(pdf: bytes) -> tuple[int, dict[str, int]]:
    """(number of pages, {named destination: index of its page}) of a PDF."""
    with _open(pdf) as document:
        index = {page.obj.objgen: i for i, page in enumerate(document.pages)}
        found = {name: index[dest[0].objgen] for name, dest in _destinations(document).items()}
        return len(document.pages), found


def page_count(pdf: bytes) -> int:
    with _open(pdf) as document:
        return len(document.pages)


def join(front: bytes, sections: list[bytes], stamps: bytes) -> bytes:
    """`front`, then each of `sections`, with page i of `stamps` drawn over page i of the result.

    The front is the base: its catalog (XMP metadata, output intent, attached files, language)
    is the document's. Destination names must be unique across sections; the front's own give
    way to the sections', so a contents link named after a decision leads to that decision.
    """
    joined = _open(front)
    destinations: dict[str, pikepdf.Object] = {}
    opened = []
    for number, section in enumerate(sections, start=1):
        source = _open(section)
        opened.append(source)
        _retag_fonts(source, f"section {number}")
        first = len(joined.pages)
        joined.pages.extend(source.pages)
        added = [joined.pages[i].obj for i in range(first, len(joined.pages))]
        _append_structure(joined, source, added)
        _append_outline(joined, source)
        for name, dest in _destinations(source).items():
            # Written inline in the name tree; copied through an indirect handle.
            destinations[name] = joined.copy_foreign(source.make_indirect(dest))
    if destinations:
        tree = NameTree.new(joined)
        for name in sorted(destinations):
            tree[name] = destinations[name]
        if "/Names" not in joined.Root:
            joined.Root.Names = Dictionary()
        joined.Root.Names.Dests = tree.obj
    if "/Outlines" in joined.Root:
        joined.Root.PageMode = Name.UseOutlines
    with _open(stamps) as footers:
        _retag_fonts(footers, "footers")
        if len(footers.pages) != len(joined.pages):
            raise ValueError(f"{len(footers.pages)} footers for {len(joined.pages)} pages")
        for page, stamp in zip(joined.pages, footers.pages, strict=True):
            _draw_over(joined, page, joined.copy_foreign(stamp.as_form_xobject()))
        buffer = io.BytesIO()
        joined.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for source in opened:
        source.close()
    joined.close()
    return buffer.getvalue()


# "XKQQSR+DejaVu-Sans": WeasyPrint derives a subset's tag from the font file alone, so every
# section names its own subset of a font alike. Viewers may take two fonts of one name for one.
_SUBSET = re.compile(r"^/([A-Z]{6})\+")


def _retag_fonts(source: pikepdf.Pdf, salt: str) -> None:
    """Give every font subset of `source` a tag of its own before it joins another document."""
    for obj in source.objects:
        if not isinstance(obj, Dictionary):
            continue
        kind = obj.get("/Type")
        key = "/FontName" if kind == Name.FontDescriptor else "/BaseFont"
        if kind not in (Name.Font, Name.FontDescriptor) or key not in obj:
            continue
        match = _SUBSET.match(str(obj[key]))
        if match:
            digest = hashlib.sha256(f"{salt}:{match[1]}".encode()).digest()
            tag = "".join(string.ascii_uppercase[b % 26] for b in digest[:6])
            obj[key] = Name("/" + tag + str(obj[key])[7:])


def _draw_over(joined: pikepdf.Pdf, page: pikepdf.Page, form: pikepdf.Object) -> None:
    # WeasyPrint's pages share one resources dictionary; each page gets its own, naming its own
    # footer. Values are references, so the copy is shallow.
    shared = page.obj.Resources
    resources = Dictionary({key: shared[key] for key in shared.keys()})
    xobjects = Dictionary({key: value for key, value in shared.get("/XObject", {}).items()})
    xobjects[_FOOTER] = form
    resources.XObject = xobjects
    page.obj.Resources = joined.make_indirect(resources)
    # The page's content leaves its coordinates flipped (WeasyPrint draws from the top left):
    # saved before and restored after, so the footer lands where its own page put it.
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(_DRAW_FOOTER)


def _append_structure(joined: pikepdf.Pdf, source: pikepdf.Pdf, pages: list) -> None:
    """Hang the section's tagged elements under the document's, renumbering its parent tree."""
    ours, theirs = joined.Root.get("/StructTreeRoot"), source.Root.get("/StructTreeRoot")
    if ours is None or theirs is None:
        return
    copied = joined.copy_foreign(theirs)
    nums, their_nums = ours.ParentTree.Nums, copied.ParentTree.Nums
    offset = max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1
    document = ours.K[0]
    for element in copied.K[0].K:
        element.P = document
        document.K.append(element)
    for i in range(0, len(their_nums), 2):
        nums.append(int(their_nums[i]) + offset)
        nums.append(their_nums[i + 1])
    for page in pages:
        if "/StructParents" in page:
            page.StructParents = int(page.StructParents) + offset
        for annotation in page.get("/Annots", Array()):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset


def _append_outline(joined: pikepdf.Pdf, source: pikepdf.Pdf) -> None:
    """Put the section's top-level bookmarks after the document's, their children with them."""
    outlines = source.Root.get("/Outlines")
    if outlines is None or "/First" not in outlines:
        return
    copied = joined.copy_foreign(outlines)
    root = joined.Root.get("/Outlines")
    if root is None:
        root = joined.Root.Outlines = joined.make_indirect(Dictionary(Type=Name.Outlines, Count=0))
    item = copied.First
    while True:
        item.Parent = root
        if "/Next" not in item:
            break
        item = item.Next
    if "/Last" in root:
        root.Last.Next = copied.First
        copied.First.Prev = root.Last
    else:
        root.First = copied.First
    root.Last = copied.Last
    root.Count = int(root.get("/Count", 0)) + int(copied.get("/Count", 0))
