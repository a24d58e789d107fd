from django import template
from django.template.loader import render_to_string

from apps.core.markdown import render_markdown
from apps.reviews.panel import TEMPLATE, panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def review_panel(context) -> str:
    """The decision page's review panel: history, versions, reviewers, approvals and threads."""
    request = context["request"]
    panel = panel_context(context["decision"], context["membership"], context["record"])
    return render_to_string(f"{TEMPLATE}#panel", panel, request=request)


@register.filter
def markdown(text: str, image_hosts: tuple[str, ...] = ()) -> str:
    """A comment's Markdown through the one sanitiser: `text|markdown:workspace.image_host_list`."""
    return render_markdown(text, image_hosts)


@register.filter
def mine(comments, user) -> int:
    """How many of these comments the user wrote: keys the reply form, see review.html."""
    return sum(1 for c in comments if c.author_id == user.pk)
