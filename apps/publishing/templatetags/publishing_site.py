from django import template

register = template.Library()


@register.filter
def row_for(rows: dict, root: str):
    """A decision's list row, as rendered for a page at `root` ("" or "../")."""
    return rows[root]
