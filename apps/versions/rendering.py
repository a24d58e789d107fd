"""A frozen version's PDF, through the same body as the page and the decision's own PDF."""

from __future__ import annotations

from django.template.loader import render_to_string

from apps.core.pdf import html_to_pdf
from apps.decisions.rendering import record_html
from apps.formats.record import Record


def version_pdf(record: Record, version, history: list) -> bytes:
    """A frozen version's PDF: the same body, with its number, hash, approvals and history.

    `version` is an apps.versions Version, `history` the decision's versions in order.
    """
    html = render_to_string(
        "versions/version_pdf.html",
        {"record": record, "body": record_html(record), "version": version, "history": history},
    )
    return html_to_pdf(html)
