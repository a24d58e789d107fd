from django import template
from django.template.loader import render_to_string

from apps.upkeep.panel import TEMPLATE, panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def upkeep_panel(context) -> str:
    """The decision page's review date, "Confirm still valid" and confirmation checklist."""
    request = context["request"]
    panel = panel_context(context["decision"], context["membership"], request.user)
    return render_to_string(f"{TEMPLATE}#panel", panel, request=request)
