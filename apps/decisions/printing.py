"""A decision as it is printed: one block that a decision's PDF, a version's PDF and every decision
of a board pack include (`decisions/_printed_decision.html`), so each looks the same everywhere.

The block reads a `Printed`: the record, its body (through `record_html`, as the page), the
workspace's name and, when the text is a frozen version, that version with its hash and approvals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from apps.core.pdf import FileAttachment, html_to_pdf
from apps.formats.record import Record

# Statuses whose every page carries a diagonal word (print.css names a page for each). Only an
# accepted decision goes without: one accepted elsewhere was never reviewed here, and says so.
WATERMARKS = {
    "draft": "DRAFT",
    "in_review": "IN REVIEW",
    "rejected": "REJECTED",
    "deprecated": "DEPRECATED",
    "superseded": "SUPERSEDED",
    "elsewhere": "NOT REVIEWED HERE",
}


@dataclass
class Printed:
    record: Record
    body: SafeString
    workspace_name: str = ""
    # A frozen apps.versions Version when the text printed is one (this layer cannot import it),
    # and the decision's versions in order.
    version: Any = None
    history: Sequence[Any] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        # Unique within a pack (numbers are unique in a workspace); the sanitiser keeps no ids.
        return f"adroit-decision-{self.record.number or 0}"

    @property
    def watermark(self) -> str:
        if self.record.status == "accepted":
            return ""
        return WATERMARKS.get(self.record.status, self.record.status_label.upper())

    @property
    def page_name(self) -> str:
        """The named page (print.css) whose background is this decision's watermark."""
        return f"mark-{self.record.status.replace('_', '-')}" if self.watermark else "decision"

    @property
    def footer(self) -> str:
        version = f" v{self.version.number}" if self.version is not None else ""
        return f"{self.record.ref}{version} · {self.record.status_label}"

    @property
    def attachment_name(self) -> str:
        return f"{self.record.ref}-v{self.version.number}.md" if self.version is not None else ""

    def attachments(self) -> tuple[FileAttachment, ...]:
        """The frozen Markdown, whose SHA-256 is the version's hash: the archive carries its
        source. A text that is not frozen has no hash to match, so carries nothing."""
        if self.version is None:
            return ()
        return (
            FileAttachment(
                name=self.attachment_name,
                content=self.version.markdown.encode(),
                description=f"{self.record.ref} v{self.version.number} as frozen, "
                f"SHA-256 {self.version.sha256}",
            ),
        )


def printed_pdf(doc: Printed) -> bytes:
    """One decision's PDF: the printed block alone, with its frozen Markdown attached."""
    html = render_to_string("decisions/decision_pdf.html", {"doc": doc, "record": doc.record})
    return html_to_pdf(html, attachments=doc.attachments())
