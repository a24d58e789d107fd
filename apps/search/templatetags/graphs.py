from django import template

from apps.search.graph import neighbourhood

register = template.Library()


@register.inclusion_tag("search/_neighbourhood.html")
def related_decisions(decision, record) -> dict:
    """The decision page's graph of its related decisions, when it has any."""
    return {"decision": decision, "graph": neighbourhood(decision) if record.relations else None}
