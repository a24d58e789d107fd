from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.backups.archive import dump_to
from apps.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Write a workspace to a portable zip: the Markdown of every version and of every decision,"
        " and JSON of the status history, reviews, comments, members and audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file", type=Path)

    def handle(self, *args, slug: str, file: Path, **options):
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            raise CommandError(f"No workspace '{slug}'.")
        if not file.parent.is_dir():
            raise CommandError(f"{file.parent} is not a folder.")
        size = dump_to(workspace, file)
        self.stdout.write(f"Wrote {file} ({size:,} bytes) for workspace '{slug}'.")
