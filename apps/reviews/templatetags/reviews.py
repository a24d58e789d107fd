import re

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from apps.core.markdown import render_markdown
from apps.decisions.cache import cached
from apps.reviews.models import body_anchor, section_choices
from apps.reviews.outline import split_sections
from apps.reviews.panel import TEMPLATE, full_panel, panel_for

register = template.Library()


def _panel(context) -> dict:
    request, record = context["request"], context["record"]
    return panel_for(request, context["decision"], context["membership"], record)


@register.simple_tag(takes_context=True)
def review_panel(context) -> str:
    """The decision page's review panel: history, versions, reviewers, approvals and threads.

    Kept in the render cache (with a stand-in for the reader's CSRF token) under the render key
    and `panel.panel_part`: the reader's role, the workspace's review settings, who may be asked
    to review and, once there is a round or a comment, the review's stamp and the reader. So a
    review step, a new member or a new name is a new entry, read fresh.
    """
    request, decision, panel = context["request"], context["decision"], _panel(context)

    def build() -> str:
        full = {**full_panel(panel), "csrf_token": _CSRF_STANDIN}
        return render_to_string(f"{TEMPLATE}#panel", full, request=request)

    return _with_token(cached(decision, panel["panel_part"], build), context)


@register.simple_tag(takes_context=True)
def open_comment_count(context) -> int:
    """How many threads are open: the decision page's link to its review panel says so."""
    return _panel(context)["open_threads"]


def _piece(html: str) -> SafeString:
    """A slice of the page text, which the one renderer sanitised whole. It is cut only before
    and after top-level headings (outline.split_sections), so each slice is whole HTML."""
    return mark_safe(html)  # noqa: S308 - a slice of sanitised HTML at an element boundary


# What `{% csrf_token %}` writes for this stand-in token. Every reader gets their own token in
# its place; a label or any other escaped text can never contain this raw tag.
_CSRF_STANDIN = "csrf-token-of-the-reader"
_CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_CSRF_STANDIN}">'


def _token_input(context) -> str:
    # The page's own token (the context processor masks it once a page); a fresh one only
    # where a context has none.
    token = context.get("csrf_token")
    if str(token) == _CSRF_STANDIN:
        return _CSRF_INPUT  # inside a region being cached (`page_region`): the stand-in stays
    if not token:
        token = get_token(context["request"])
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _with_token(html: str, context) -> SafeString:
    """Cached HTML with the stand-in token replaced by this reader's own."""
    return _piece(html.replace(_CSRF_INPUT, _token_input(context)))


def _cut(body: str, record, sections: list[tuple[str, str]]) -> tuple[list, list[str]]:
    """The page text in chunks: HTML strings, and the keys of sections whose comments go
    between them; then the keys of sections with no heading in the text."""
    keys = {key for key, _ in sections}
    chunks: list = []
    for key, html in split_sections(body, record):
        if key in keys:
            close = html.index("</h")
            close = html.index(">", close) + 1
            chunks.append(
                f'<div class="record-part" id="{escape(body_anchor(key))}" hx-disable>'
                f"{html[:close]}</div>"
            )
            chunks.append((key,))
            html = html[close:]
        chunks.append(f'<div class="record-part" hx-disable>{html}</div>')
    placed = {chunk[0] for chunk in chunks if isinstance(chunk, tuple)}
    return chunks, [key for key, _ in sections if key not in placed]


def _section_html(context, section: dict) -> str:
    template = context.template.engine.get_template(f"{TEMPLATE}#section")
    with context.push(s=section, oob=False):
        return template.render(context)


@register.simple_tag(takes_context=True)
def record_body(context, body: SafeString) -> SafeString:
    """The page text with each section's comments after its heading, and a hidden target for
    each section without a heading (the panel's updates send every section's comments).

    Kept whole in the decision's render cache (apps/decisions/cache.py) under `panel.body_part`:
    whether the reader may comment and, once anyone commented, the review's stamp and the
    reader. Its forms' token is a stand-in, replaced by the reader's own.
    """
    decision, record, panel = context["decision"], context["record"], _panel(context)

    def build() -> str:
        threads = {s["key"]: s for s in full_panel(panel)["sections"]}
        chunks, off_page = _cut(str(body), record, list(section_choices(record)))
        out = []
        with context.push(csrf_token=_CSRF_STANDIN):
            for chunk in chunks:
                is_section = isinstance(chunk, tuple)
                out.append(_section_html(context, threads[chunk[0]]) if is_section else chunk)
        html = f'<div class="record-body">{"".join(out)}</div>'
        if off_page:
            targets = "".join(
                f'<div id="threads-{escape(body_anchor(k))}"></div>' for k in off_page
            )
            html += f'<div class="off-page-sections" hidden>{targets}</div>'
        return html

    return _with_token(cached(decision, panel["body_part"], build), context)


class PageRegionNode(template.Node):
    def __init__(self, nodelist) -> None:
        self.nodelist = nodelist

    def render(self, context) -> str:
        decision, panel = context["decision"], _panel(context)
        part = panel.get("region_part")
        if part is None:  # a review view's own panel: no page to cache
            return self.nodelist.render(context)

        def build() -> str:
            with context.push(csrf_token=_CSRF_STANDIN):
                return self.nodelist.render(context)

        return _with_token(cached(decision, part, build), context)


@register.tag
def page_region(parser, token):
    """`{% page_region %}…{% endpage_region %}`: the decision page's main region, kept whole in
    the render cache under everything it shows beyond the render key (`panel.region_part`:
    the panel's and the text's parts, so the reader's role, the review settings, who may be
    asked and, once a review has rows, its stamp and the reader; the workspace's name and
    review period; today's date). Its forms carry a stand-in token, replaced by the reader's
    own on every read."""
    nodelist = parser.parse(("endpage_region",))
    parser.delete_first_token()
    return PageRegionNode(nodelist)


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
