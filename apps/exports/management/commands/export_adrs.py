import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.activity.events import record_event
from apps.core.pdf import PdfRenderError
from apps.decisions.models import Decision, Status
from apps.exports.packs import board_pack, decision_pdf, is_our_index, log_files
from apps.exports.registry import EXTRA_FORMATS
from apps.exports.tasks import pack_decisions
from apps.formats.writers import FORMATS as WRITERS
from apps.workspaces.models import Workspace

# Markdown in each writer's format (one pipeline: apps/exports/packs.py `log_files`), the PDF,
# and the board pack: one PDF file of a workspace's decisions, the same as the web's.
BOARD_PACK = "board-pack"
FORMATS = [*WRITERS, "pdf", BOARD_PACK]
# Like a checkout's files: anyone may read them (mkstemp alone gives 0600).
FILE_MODE = 0o644


def write_atomically(path: Path, body: bytes) -> None:
    # A half-written ADR in a git checkout is worse than none: write aside, then rename.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _foreign(out: Path):
    """Whether a file of the out folder is someone else's: there, and not an index we wrote."""

    def foreign(name: str) -> bool:
        path = out / name
        if not path.is_file():
            return False
        return not is_our_index(path.read_text(encoding="utf-8", errors="replace"))

    return foreign


def export_workspace(workspace: Workspace, out: Path, fmt: str) -> list[Path]:
    if fmt in EXTRA_FORMATS:  # the static site, registered by apps.publishing
        return EXTRA_FORMATS[fmt].write_folder(workspace, out)
    out.mkdir(parents=True, exist_ok=True)
    decisions = list(
        Decision.objects.filter(workspace=workspace)
        .with_record()
        .select_related("source")
        .order_by("number")
    )
    written = []
    if fmt != "pdf":
        for name, text in log_files(decisions, fmt, foreign=_foreign(out)):
            path = out.joinpath(*name.split("/"))
            write_atomically(path, text.encode())
            written.append(path)
        return written[: len(decisions)]  # the decisions' files; the index comes last
    for decision in decisions:
        path = out / f"{decision.file_stem}.pdf"
        try:
            body = decision_pdf(decision)  # frozen text and attachment as the page's download
        except PdfRenderError as error:
            raise CommandError(f"{decision.ref} {decision.title}: {error}") from None
        write_atomically(path, body)
        written.append(path)
    return written


class Command(BaseCommand):
    help = (
        "Write one file per decision and a README.md listing the log, for teams that keep ADRs in"
        " git. An imported decision goes back to its own path, as it came while untouched; others"
        " are NNNN-title-slug.md (or .pdf). A README.md that is not ours is left alone: the index"
        " goes to index.md then, or nowhere."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="the folder to write into")
        parser.add_argument("--format", choices=sorted([*FORMATS, *EXTRA_FORMATS]), default="madr")
        parser.add_argument("--workspace", help="the workspace's slug (default: every workspace)")
        parser.add_argument(
            "--status",
            choices=Status.values,
            help="board pack only: just the decisions with this status (default: all)",
        )

    def handle(
        self, *args, out: Path, format: str, workspace: str | None, status: str | None, **options
    ):
        if format == BOARD_PACK:
            self.write_board_pack(out, workspace, status)
            return
        if status:
            raise CommandError(
                "--status chooses a board pack's decisions: use --format board-pack."
            )
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

    def write_board_pack(self, out: Path, slug: str | None, status: str | None) -> None:
        """One PDF file, as the exports page makes it: `--out FILE.pdf`."""
        if slug:
            workspace = Workspace.objects.filter(slug=slug).first()
            if workspace is None:
                raise CommandError(f"No workspace with the slug {slug!r}.")
        else:
            workspaces = list(Workspace.objects.all()[:2])
            if len(workspaces) != 1:
                raise CommandError(
                    "Name the workspace of the board pack with --workspace SLUG."
                    if workspaces
                    else "There is no workspace to make a board pack of."
                )
            workspace = workspaces[0]
        if out.suffix.lower() != ".pdf" or out.is_dir():
            raise CommandError(
                f"A board pack is one PDF file: give --out a file name ending in .pdf, not {out}."
            )
        decisions = Decision.objects.filter(workspace=workspace)
        if status:
            decisions = decisions.filter(status=status)
        chosen = pack_decisions(decisions)
        if not chosen:
            which = f" {Status(status).label.lower()}" if status else ""
            raise CommandError(f"{workspace.name} has no{which} decisions for a board pack.")
        try:
            body = board_pack(chosen, workspace, lambda done: None)
        except PdfRenderError as error:
            raise CommandError(f"The board pack could not be made: {error}") from None
        write_atomically(out, body)
        record_event(
            workspace,
            None,
            "exported",
            target=workspace,
            kind="board_pack",
            decisions=len(chosen),
            via="command line",
        )
        self.stdout.write(
            self.style.SUCCESS(f"Wrote a board pack of {len(chosen)} decisions to {out}.")
        )
