from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.backups.archive import ArchiveError, restore_workspace


class Command(BaseCommand):
    help = "Recreate a workspace from a dump_workspace archive, whole or not at all."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            restored = restore_workspace(file.read_bytes())
        except ArchiveError as error:
            raise CommandError(f"{file}: {error} Nothing was restored.") from error
        self.stdout.write(
            f"Restored workspace '{restored.workspace.slug}': {restored.decisions} decisions,"
            f" {restored.versions} versions, {restored.audit_events} audit events."
        )
        if restored.new_users:
            self.stdout.write(
                "New users (no password yet; they sign in after 'Forgot your password?'): "
                + ", ".join(restored.new_users)
            )
