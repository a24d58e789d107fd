"""Markdown to safe HTML: the one function every rendered text goes through.

User Markdown may carry raw HTML, `javascript:` links, htmx attributes or attribute lists. The
converter keeps raw HTML (so tables, <details> and <sup> from imported ADRs survive) and nh3 then
removes everything not on a short allowlist. Never mark Markdown-derived HTML safe any other way.
"""

from __future__ import annotations

import functools
import re

import markdown as md
import nh3
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


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML that is safe to put on a page or into a PDF."""
    return mark_safe(_render(text))  # noqa: S308 - sanitised in _render


# The HTML depends on the text alone, so a page read again skips the conversion, which is a third
# of the decision page's time (docs/benchmarks.md). Bounded: some 256 bodies of ~10 kB per process.
@functools.lru_cache(maxsize=256)
def _render(text: str) -> str:
    converter = md.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "admonition", CalloutExtension()],
        output_format="html",
    )
    return sanitize_html(converter.convert(text))
