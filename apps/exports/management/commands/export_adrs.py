import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.activity.events import record_event
from apps.core.pdf import PdfRenderError
from apps.decisions.models import Decision
from apps.decisions.rendering import record_markdown, record_pdf
from apps.formats.writers import FORMATS as WRITERS
from apps.formats.writers import file_name, write_index
from apps.workspaces.models import Workspace

# Markdown in each writer's format (one pipeline: apps/exports/writers.py), and the PDF.
FORMATS = {
    **{
        name: (".md", lambda record, name=name: record_markdown(record, name).encode())
        for name in WRITERS
    },
    "pdf": (".pdf", record_pdf),
}
INDEX = "README.md"


def write_atomically(path: Path, body: bytes) -> None:
    # A half-written ADR in a git checkout is worse than none: write aside, then rename.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_workspace(workspace: Workspace, out: Path, fmt: str) -> list[Path]:
    suffix, render = FORMATS[fmt]
    out.mkdir(parents=True, exist_ok=True)
    written, records = [], []
    for decision in Decision.objects.filter(workspace=workspace).with_record().order_by("number"):
        record = decision.to_record()
        path = out / (file_name(record, fmt) if suffix == ".md" else f"{decision.file_stem}.pdf")
        try:
            body = render(record)
        except PdfRenderError as error:
            raise CommandError(f"{decision.ref} {decision.title}: {error}") from None
        write_atomically(path, body)
        written.append(path)
        records.append(record)
    if suffix == ".md":
        # The log as the folder's README, so the folder reads well on a git host.
        write_atomically(out / INDEX, write_index(records, fmt).encode())
    return written


class Command(BaseCommand):
    help = (
        "Write one file per decision (NNNN-title-slug.md or .pdf) and a README.md listing the log,"
        " for teams that keep ADRs in git."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="the folder to write into")
        parser.add_argument("--format", choices=sorted(FORMATS), default="madr")
        parser.add_argument("--workspace", help="the workspace's slug (default: every workspace)")

    def handle(self, *args, out: Path, format: str, workspace: str | None, **options):
        if workspace:
            chosen = list(Workspace.objects.filter(slug=workspace))
            if not chosen:
                raise CommandError(f"No workspace with the slug {workspace!r}.")
        else:
            chosen = list(Workspace.objects.all())
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} exists and is not a folder.")
        # With several workspaces, numbers repeat between them: one folder each.
        nested = workspace is None and len(chosen) > 1
        total = 0
        for ws in chosen:
            written = export_workspace(ws, out / ws.slug if nested else out, format)
            total += len(written)
            # The audit log covers exports from the shell too: no one signed in, so no actor.
            record_event(
                ws,
                None,
                "exported",
                target=ws,
                format=format,
                files=len(written),
                via="command line",
            )
        self.stdout.write(self.style.SUCCESS(f"Wrote {total} files to {out}."))
