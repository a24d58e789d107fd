"""The XSS corpus and the checks every rendering of user text must pass."""

import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

from django.db import models
from django.utils.html import escape
from pypdf import PdfReader

from apps.decisions.models import (
    AuthOption,
    Consequence,
    Consideration,
    Decision,
    FreeSection,
    Participant,
    Reference,
    Scenario,
    ScenarioPoint,
    Support,
    Tag,
)

PAYLOADS = [
    line.replace("\\n", "\n")
    for line in (Path(__file__).parent / "xss_payloads.txt").read_text().splitlines()
    if line and not line.startswith("# ")
]
ALL_PAYLOADS = "\n\n".join(PAYLOADS)
SHORT_PAYLOAD = "\"'><script>alert(1)</script><img src=x onerror=alert(1)>"
ACTIVE_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "svg",
    "math",
    "object",
    "embed",
    "link",
    "style",
    "form",
    "input",
    "button",
    "base",
    "meta",
    "template",
    "video",
    "audio",
    "source",
    "body",
    "marquee",
    "isindex",
    "bgsound",
}
SAFE_SCHEMES = {"http", "https", "mailto"}


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector(convert_charrefs=True).feed(html)
    return found


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads (WHATWG URL): tabs and newlines vanish, edges are trimmed."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
        "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
        "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match[1].lower() if match else None


def elements_within(html: str, css_class: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The elements inside every element whose class includes `css_class` (the user content of
    a page whose own controls, such as comment forms, sit between those parts)."""
    found = []

    class Collector(HTMLParser):
        depth = 0  # > 0 inside a part: the part's own element counts as 1

        def handle_starttag(self, tag, attrs):
            if self.depth:
                found.append((tag, attrs))
                if tag not in VOID_TAGS:
                    self.depth += 1
            elif css_class in (dict(attrs).get("class") or "").split():
                self.depth = 1

        def handle_endtag(self, tag):
            if self.depth and tag not in VOID_TAGS:
                self.depth -= 1

    Collector(convert_charrefs=True).feed(html)
    return found


VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
             "track", "wbr"}  # fmt: skip


def assert_harmless(html: str) -> None:
    """No active element, event or htmx attribute, or script URL. Text may say anything."""
    assert_elements_harmless(elements(html))


def assert_elements_harmless(found: list[tuple[str, list[tuple[str, str | None]]]]) -> None:
    for tag, attrs in found:
        assert tag not in ACTIVE_TAGS, (tag, attrs)
        for name, value in attrs:
            if name == "hx-disable":  # ours: it switches htmx off for the user content inside
                continue
            assert not name.startswith(("on", "hx-", "data-hx", "style", "_")), (tag, name)
            if name in {"href", "src", "action", "formaction", "background", "xlink:href"}:
                scheme = url_scheme(value or "")
                assert scheme is None or scheme in SAFE_SCHEMES, (tag, name, value)


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}
HX_URL_ATTRIBUTES = {"hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"}
NEVER_IN_FRAGMENTS = {
    "script", "iframe", "frame", "object", "embed", "base", "meta", "link", "style", "math",
    "template", "video", "audio", "source", "body", "marquee",
}  # fmt: skip


def hx_disabled_regions(html: str) -> list[str]:
    """The inner HTML of each element carrying hx-disable."""
    # HTMLParser counts lines by "\n" alone.
    starts = [0]
    for line in html.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    regions: list[str] = []

    class Finder(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack: list[tuple[str, int | None]] = []

        def position(self) -> int:
            line, column = self.getpos()
            return starts[line - 1] + column

        def handle_starttag(self, tag, attrs):
            if tag in {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source"}:
                return
            opening = self.get_starttag_text() or ""
            marked = any(name == "hx-disable" for name, _ in attrs)
            self.stack.append((tag, self.position() + len(opening) if marked else None))

        def handle_endtag(self, tag):
            while self.stack:
                open_tag, begin = self.stack.pop()
                if begin is not None:
                    regions.append(html[begin : self.position()])
                if open_tag == tag:
                    break

    Finder().feed(html)
    return regions


def assert_fragment_harmless(html: str, own: str = "/w/") -> None:
    """A fragment (or a whole page) of ours around user text: user Markdown only inside
    `hx-disable` regions, passing the full check there; nowhere a handler, `hx-on`, a script
    URL, or an htmx request to anything but our own paths under `own`."""
    if html.lstrip().lower().startswith("<!doctype"):
        # A whole page (a boosted step link): its head holds our own static scripts only.
        head = html[: html.index("<main")]
        assert_fragment_harmless(head[head.index(">", head.index("<body")) + 1 :], own)
        html = html[html.index("<main") : html.index("</main>")]
    for region in hx_disabled_regions(html):
        assert_harmless(region)
    for tag, attrs in elements(html):
        if tag in {"script", "link"}:
            # Ours: a static file, nothing inline.
            assert (dict(attrs).get("src") or dict(attrs).get("href") or "").startswith(
                "/static/"
            ), (tag, attrs)
            continue
        assert tag not in NEVER_IN_FRAGMENTS, (tag, attrs)
        for name, value in attrs:
            assert not name.startswith(("on", "hx-on", "data-hx-on", "data-hx-", "_")), (tag, name)
            if name in URL_ATTRIBUTES:
                scheme = url_scheme(value or "")
                assert scheme is None or scheme in SAFE_SCHEMES, (tag, name, value)
            if name in HX_URL_ATTRIBUTES:
                # htmx only ever talks to our own paths.
                assert (value or "").startswith(own), (tag, name, value)
                assert not (value or "").startswith("//"), (tag, name, value)
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror=alert(1)>" not in html


def assert_pdf_harmless(pdf: bytes) -> None:
    """No JavaScript or launch action, and links only to the web or to mail."""
    assert pdf.startswith(b"%PDF"), pdf[:200]
    assert b"/JavaScript" not in pdf and b"/Launch" not in pdf
    for page in PdfReader(BytesIO(pdf)).pages:
        for annot in page.get("/Annots", []) or []:
            action = (annot.get_object().get("/A") or {}).get("/URI", "")
            assert str(action).split(":", 1)[0].lower() in {"", "http", "https", "mailto"}


def assert_escaped(html: str, text: str) -> None:
    """Plain text (a name, a reason) reached the page, and only as text: escaped, never markup."""
    assert escape(text) in html, text[:200]
    if escape(text) != text:
        assert text not in html, text[:200]


def payload_chunks(size: int) -> list[str]:
    """The whole corpus cut to fit a field of `size` characters: as few pieces as will do,
    each payload whole in one piece (a payload longer than the field is cut to fit)."""
    pieces: list[str] = []
    for payload in PAYLOADS:
        payload = payload[:size]
        if pieces and len(pieces[-1]) + 1 + len(payload) <= size:
            pieces[-1] += "\n" + payload
        else:
            pieces.append(payload)
    return pieces


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and f.name not in {"url"}
    ]


def fill(instance: models.Model) -> models.Model:
    for field in text_fields(type(instance)):
        long_enough = not field.max_length or field.max_length >= len(ALL_PAYLOADS)
        value = ALL_PAYLOADS if long_enough else SHORT_PAYLOAD
        setattr(instance, field.name, value[: field.max_length] if field.max_length else value)
    return instance


def hostile_decision(workspace, number: int = 1) -> Decision:
    """A decision with the whole corpus in every text field of every part of the record."""
    decision = fill(Decision(workspace=workspace, number=number))
    decision.title = SHORT_PAYLOAD
    decision.save()
    scenario = fill(Scenario(decision=decision))
    scenario.save()
    fill(ScenarioPoint(scenario=scenario, kind="good")).save()
    fill(Consequence(decision=decision, kind="bad")).save()
    consideration = fill(Consideration(decision=decision, is_open=True))
    consideration.save()
    option = fill(AuthOption(consideration=consideration))
    option.save()
    fill(Support(option=option, scenario=scenario, level="partial")).save()
    fill(Reference(decision=decision, url="javascript:alert(1)")).save()
    fill(FreeSection(decision=decision)).save()
    fill(Participant(decision=decision, role="consulted")).save()
    decision.tags.add(Tag.objects.get_or_create(workspace=workspace, name=SHORT_PAYLOAD[:60])[0])
    return decision
