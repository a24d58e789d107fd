"""Markdown to safe HTML: the one function every rendered text goes through.

User Markdown may carry raw HTML, `javascript:` links, htmx attributes or attribute lists. The
converter keeps raw HTML (so tables, <details> and <sup> from imported ADRs survive) and nh3 then
removes everything not on a short allowlist. Never mark Markdown-derived HTML safe any other way.

Rendering is bounded: python-markdown takes time quadratic in a paragraph's length for unclosed
`[`, `](` and `<` (30,000 `[` took 31 s), and recursion for deep nesting. `too_costly` measures the
text's shape in one linear pass first; a text past the limits is shown escaped, as plain paragraphs.

Images load only from hosts the caller allows (a workspace's image hosts), never from our own site:
an `<img>` pointing at a download URL would make every reader's browser fetch it. Any other image
becomes a link that shows its alt text.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import markdown as md
import nh3
from django.conf import settings
from django.http.request import validate_host
from django.utils.safestring import SafeString, mark_safe
from markdown.preprocessors import Preprocessor

CALLOUT_KINDS = ("note", "tip", "info", "important", "warning", "caution", "danger")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "code": set(),
    "div": set(),
    "p": set(),
    "span": set(),
    "li": set(),
}
# Classes are limited to the ones our stylesheets give meaning to, so a user cannot dress text
# up as application chrome.
ALLOWED_CLASSES = {
    "div": {"admonition", *CALLOUT_KINDS},
    "p": {"admonition-title"},
    "span": {"support-supported", "support-partial", "support-not", "support-unknown"},
    "td": {"support-supported", "support-partial", "support-not", "support-unknown"},
}
URL_SCHEMES = {"http", "https", "mailto"}


class _CalloutPreprocessor(Preprocessor):
    """Turns GitHub alerts (> [!TIP]) and Docusaurus callouts (:::info ... :::) into admonitions."""

    alert = re.compile(r"^>\s*\[!(\w+)\]\s*$")
    fence_open = re.compile(r"^:::(\w+)(?:\s+(.*))?$")
    code_fence = re.compile(r"^\s*(```|~~~)")

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        in_code = False
        i = 0
        while i < len(lines):
            line = lines[i]
            if self.code_fence.match(line):
                in_code = not in_code
            if not in_code and (m := self.alert.match(line)) and m[1].lower() in CALLOUT_KINDS:
                body = []
                i += 1
                while i < len(lines) and lines[i].startswith(">"):
                    body.append(lines[i][1:].removeprefix(" "))
                    i += 1
                # GitHub shows alerts without a title line; so do we.
                out += self._admonition(m[1].lower(), None, body)
                continue
            if not in_code and (m := self.fence_open.match(line.strip())):
                if m[1].lower() in CALLOUT_KINDS:
                    body = []
                    i += 1
                    while i < len(lines) and lines[i].strip() != ":::":
                        body.append(lines[i])
                        i += 1
                    out += self._admonition(m[1].lower(), m[2] or "", body)
                    i += 1
                    continue
            out.append(line)
            i += 1
        return out

    @staticmethod
    def _admonition(kind: str, title: str | None, body: list[str]) -> list[str]:
        if title is None:
            head = f'!!! {kind} ""'
        else:
            title = title.replace('"', "'").strip()
            head = f'!!! {kind} "{title}"' if title else f"!!! {kind}"
        return ["", head, *[f"    {b}" if b.strip() else "" for b in body], ""]


class CalloutExtension(md.Extension):
    def extendMarkdown(self, md_: md.Markdown) -> None:  # noqa: N802 - python-markdown's API
        md_.preprocessors.register(_CalloutPreprocessor(md_), "adroit_callouts", 27)


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# Limits measured with bench/markdown_shapes.py on a 2-core machine (docs/reliability.md): a text
# just inside them renders in under 0.4 s (load average 4), whatever its shape.
MAX_LENGTH = 150_000  # characters; the longest ADR of the corpus (97 kB) takes 0.3 s
MAX_PREFIX = 100  # characters of quote marks, list markers and indentation before a line's text
MAX_COST = 400_000  # see too_costly: about a microsecond each

_BLOCKS = re.compile(r"\n[ \t]*\n")
# python-markdown formats each paragraph, list item and table row's text on its own: a "run".
_RUNS = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[*+-][ \t]|\d{1,9}[.)][ \t]|\||#))")
_MARKS = re.compile(r"[*_`&\\~]")
_OPENERS = re.compile(r"\[|\]\(?|\)|<|>")
# Lines that end a block where they stand: headings, rules, setext underlines, admonitions.
_SPLITTERS = re.compile(r"^[ \t]{0,3}(?:#|!!!|([-*_])[ \t]*\1[ \t]*\1|=+[ \t]*$)", re.M)
_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.M | re.S)
_PREFIX = re.compile(r"^(?:[ \t>]|[*+-][ \t]|\d{1,9}[.)][ \t])+", re.M)


def _run_cost(run: str) -> int:
    """python-markdown's work on one run's text, in units of about a microsecond.

    Each run costs some 300 units, each table cell or `<` 150, each emphasis, code or escape
    mark some 40 plus the run's length / 512 (each match rebuilds the run's text). From each `[`,
    `](` and `<` it scans for the character that closes it, or to the end of the run when there
    is none, so unclosed openers cost the run's length each; `<` about a quarter of a `[`.
    """
    marks = len(_MARKS.findall(run))
    cost = 300 + run.count("|") * 150 + marks * 40 + marks * len(run) // 512
    # Each tag of raw HTML is parsed and set aside (some 150 units), each `[` tried as a link,
    # each line joined into the paragraph.
    cost += run.count("<") * 150 + run.count("[") * 10 + run.count("\n") * 5
    brackets: list[int] = []
    parens: list[int] = []
    angles: list[int] = []
    for match in _OPENERS.finditer(run):
        at, mark = match.start(), match[0]
        if mark == "[":
            brackets.append(at)
        elif mark[0] == "]":
            if brackets:
                cost += at - brackets.pop()
            if mark == "](":
                parens.append(at)
        elif mark == ")":
            if parens:
                cost += at - parens.pop()
        elif mark == "<":
            angles.append(at)
        else:  # ">" closes every "<" before it: the scan of each stops here
            cost += sum(at - start for start in angles) // 4
            angles.clear()
    end = len(run)
    cost += sum(end - start for start in brackets + parens)
    cost += sum(end - start for start in angles) // 4
    return cost


def markdown_cost(text: str) -> int:
    """An upper estimate of python-markdown's time on `text`, in units of about a microsecond."""
    # Fenced code is not formatted, so its brackets (JSON, say) and marks cost nothing.
    prose = _FENCE.sub("", text)
    cost = 0
    for block in _BLOCKS.split(prose):
        # A heading or rule inside a block splits it and parses the rest again: its length each.
        cost += len(_SPLITTERS.findall(block)) * len(block) // 8
    for run in _RUNS.split(prose):
        cost += _run_cost(run)
    return cost


def too_costly(text: str) -> bool:
    """Whether python-markdown could take too long (or recurse too deep) on this text."""
    if len(text) > MAX_LENGTH:
        return True
    if any(len(m[0].expandtabs(4)) > MAX_PREFIX for m in _PREFIX.finditer(text)):
        return True
    return markdown_cost(text) > MAX_COST


def plain_text_html(text: str) -> str:
    """The text escaped, its paragraphs and lines kept: what a too costly text is shown as."""
    paragraphs = [p for p in _BLOCKS.split(text.strip()) if p.strip()]
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    note = "<p><small>Shown unformatted: too long or too intricate to format.</small></p>"
    return note + body


_IMG = re.compile(r'<img((?:\s+[a-z]+="[^"]*")*)\s*/?>')
# An image inside a link ([![badge](…)](…)) becomes its label only: links do not nest.
_IMG_OR_LINK = re.compile(rf"{_IMG.pattern}|<a\s|</a>")
_ATTRIBUTE = re.compile(r'([a-z]+)="([^"]*)"')


def is_own_host(host: str) -> bool:
    """Whether `host` is this site (ALLOWED_HOSTS): its pages and downloads are never images."""
    return validate_host(host, [h for h in settings.ALLOWED_HOSTS if h != "*"])


def loads_from(src: str, image_hosts: frozenset[str]) -> bool:
    """Whether an image at `src` may load: https, from an allowed host that is not our own."""
    try:
        url = urlsplit(src)
        host = (url.hostname or "").lower()
    except ValueError:
        return False
    return url.scheme == "https" and host in image_hosts and not is_own_host(host)


def _gate_images(html_: str, image_hosts: frozenset[str]) -> str:
    """Every `<img>` not from an allowed host as a link showing its alt text (nh3's output quotes
    every attribute and escapes `"` in values, so the patterns read it exactly)."""
    in_link = 0

    def gate(match: re.Match) -> str:
        nonlocal in_link
        if not match[0].startswith("<img"):
            in_link = max(0, in_link + (1 if match[0].startswith("<a") else -1))
            return match[0]
        attributes = {k: html.unescape(v) for k, v in _ATTRIBUTE.findall(match[1])}
        src = attributes.get("src", "")
        if src and loads_from(src, image_hosts):
            return match[0]
        label = html.escape(attributes.get("alt") or attributes.get("title") or src or "image")
        if not src or in_link:
            return label
        return f'<a href="{html.escape(src)}" rel="noopener noreferrer nofollow">{label}</a>'

    return _IMG_OR_LINK.sub(gate, html_)


def render_markdown(text: str, image_hosts: Iterable[str] = ()) -> SafeString:
    """Markdown to HTML that is safe to put on a page or into a PDF.

    `image_hosts`: the hosts images may load from (the workspace's); other images become links.
    """
    hosts = frozenset(h.strip().lower() for h in image_hosts if h.strip())
    return mark_safe(_render(text, hosts))  # noqa: S308 - sanitised in _render


# The HTML depends on the text alone, so a page read again skips the conversion, which is a third
# of the decision page's time (docs/benchmarks.md). Bounded: some 256 bodies of ~10 kB per process.
@functools.lru_cache(maxsize=256)
def _render(text: str, image_hosts: frozenset[str]) -> str:
    if too_costly(text):
        return plain_text_html(text)
    converter = md.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "admonition", CalloutExtension()],
        output_format="html",
    )
    return _gate_images(sanitize_html(converter.convert(text)), image_hosts)
