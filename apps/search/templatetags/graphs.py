from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from apps.decisions.cache import cached
from apps.search.graph import neighbourhood

register = template.Library()


@register.simple_tag
def related_decisions(decision, record) -> str:
    """The decision page's graph of its related decisions, when it has any.

    Drawn once per cache key: the key counts the relations either way and when the related
    decisions last changed (apps/decisions/cache.py), which is all the drawing shows of them.
    """
    if not record.relations:
        return ""
    html = cached(
        decision,
        "neighbourhood",
        lambda: render_to_string(
            "search/_neighbourhood.html", {"decision": decision, "graph": neighbourhood(decision)}
        ),
    )
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when it was drawn
