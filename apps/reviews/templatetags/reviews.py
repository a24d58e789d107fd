import re

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from apps.core.markdown import render_markdown
from apps.reviews.models import body_anchor
from apps.reviews.outline import split_sections
from apps.reviews.panel import TEMPLATE, panel_for

register = template.Library()


def _panel(context) -> dict:
    request, record = context["request"], context["record"]
    return panel_for(request, context["decision"], context["membership"], record)


@register.simple_tag(takes_context=True)
def review_panel(context) -> str:
    """The decision page's review panel: history, versions, reviewers, approvals and threads."""
    return render_to_string(f"{TEMPLATE}#panel", _panel(context), request=context["request"])


@register.simple_tag(takes_context=True)
def open_comment_count(context) -> int:
    """How many threads are open: the decision page's link to its review panel says so."""
    return _panel(context)["open_threads"]


def _piece(html: str) -> SafeString:
    """A slice of the page text, which the one renderer sanitised whole. It is cut only before
    and after top-level headings (outline.split_sections), so each slice is whole HTML."""
    return mark_safe(html)  # noqa: S308 - a slice of sanitised HTML at an element boundary


@register.simple_tag(takes_context=True)
def record_parts(context, body: SafeString) -> list[dict]:
    """The page text in parts, each section's with its threads (from the panel's queries):
    `{% record_parts body as parts %}`, then each part's `heading`, `section` and `text`.
    The text may come from a cache; the threads never do."""
    sections = {s["key"]: s for s in _panel(context)["sections"]}
    parts = []
    for key, html in split_sections(str(body), context["record"]):
        if key not in sections:
            parts.append({"heading": "", "section": None, "text": _piece(html)})
            continue
        close = html.index("</h")
        close = html.index(">", close) + 1
        parts.append(
            {
                "heading": _piece(html[:close]),
                "section": sections[key],
                "text": _piece(html[close:]),
            }
        )
    return parts


@register.simple_tag(takes_context=True)
def sections_off_page(context, parts: list[dict]) -> list[dict]:
    """The sections a comment can be about that have no heading in the page text (an empty
    section is not written): `{% sections_off_page parts as off_page %}`. The panel's updates
    send every section's comments out of band, so the page keeps a hidden target for these."""
    placed = {part["section"]["key"] for part in parts if part["section"]}
    return [s for s in _panel(context)["sections"] if s["key"] not in placed]


@register.filter
def section_id(key: str) -> str:
    """`{{ "consideration:"|add:c.title|section_id }}`: where that section begins on the page."""
    return body_anchor(key)


# "1 approval on 9599291ab520": how acceptances were explained before the hash left the words.
_HASH_REASON = re.compile(r"\s+on\s+[0-9a-f]{12}$")


@register.filter
def humane_reason(reason: str) -> str:
    """A status change's reason as a person reads it: no hash fragments."""
    return _HASH_REASON.sub(" of the text then in review", reason or "")


@register.filter
def markdown(text: str, image_hosts: tuple[str, ...] = ()) -> str:
    """A comment's Markdown through the one sanitiser: `text|markdown:workspace.image_host_list`."""
    return render_markdown(text, image_hosts)


@register.filter
def mine(comments, user) -> int:
    """How many of these comments the user wrote: keys the reply form, see review.html."""
    return sum(1 for c in comments if c.author_id == user.pk)
