"""The shared steps from a record to what people read: page HTML, Markdown files and PDFs."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from apps.core.markdown import render_markdown
from apps.core.pdf import html_to_pdf
from apps.formats.record import Record, RelationEntry
from apps.formats.writers import LinkFor, file_link, madr_body, write


def page_link_for(workspace_slug: str) -> LinkFor:
    def link(relation: RelationEntry) -> str:
        if relation.number is None:
            return relation.target
        return reverse("decisions:detail", args=[workspace_slug, relation.number])

    return link


def record_html(record: Record, link_for: LinkFor = file_link) -> SafeString:
    """The body every reader sees: the MADR sections, through the one sanitiser."""
    return render_markdown(madr_body(record, link_for))


def record_markdown(record: Record, fmt: str = "madr") -> str:
    return write(record, fmt)


def record_pdf(record: Record) -> bytes:
    html = render_to_string(
        "decisions/decision_pdf.html",
        {"record": record, "body": record_html(record)},
    )
    return html_to_pdf(html)
