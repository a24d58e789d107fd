from django import template

from apps.workspaces.models import Membership

register = template.Library()


@register.filter
def allows(membership: Membership | None, need: str) -> bool:
    """`{% if membership|allows:"edit" %}`: the rights of Membership, in templates."""
    return membership is not None and membership.allows(need)
