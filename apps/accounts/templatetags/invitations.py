from django import template
from django.template.loader import render_to_string

from apps.accounts.panel import TEMPLATE, panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def invitation_panel(context) -> str:
    """The members page's invitation form and pending invitations, for the workspace's admins."""
    membership = context["membership"]
    if not membership.allows("admin"):
        return ""
    return render_to_string(
        f"{TEMPLATE}#invitations", panel_context(membership), request=context["request"]
    )
