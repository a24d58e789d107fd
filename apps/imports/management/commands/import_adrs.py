from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.decisions.models import Status
from apps.formats.readers import FORMATS
from apps.imports.importing import (
    ACCEPTED_CHOICES,
    MARKDOWN,
    Plan,
    Problem,
    apply,
    check_sizes,
    collect,
    make_plan,
)
from apps.workspaces.models import Workspace


def gather(paths: list[Path]) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """Files, folders (their Markdown files, recursively) and zips, as (name, bytes).

    Sizes come from the file system first: a file over the limits is refused before it is read,
    and then nothing is.
    """
    chosen: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            chosen += [
                (str(file.relative_to(path)), file)
                for file in sorted(path.rglob("*"))
                if file.is_file() and file.suffix.lower() in MARKDOWN
            ]
        elif path.is_file():
            chosen.append((path.name, path))
        else:
            raise CommandError(f"{path}: no such file or folder.")
    problems = check_sizes([(name, file.stat().st_size) for name, file in chosen])
    if problems:
        return [], problems
    return [(name, file.read_bytes()) for name, file in chosen], []


class DryRun(Exception):
    """Raised inside the dry run's transaction to undo it."""


class Command(BaseCommand):
    help = (
        "Import ADR Markdown files (files, folders or zips) into a workspace, creating it if"
        " needed. Every readable ADR file lands, or none does; README, index and template files"
        " are skipped, and files that cannot be read are listed and left out."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--format", choices=["auto", *FORMATS], default="auto")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="run the whole import, then undo it: a clean dry run means the import will work",
        )
        parser.add_argument(
            "--accepted",
            choices=list(ACCEPTED_CHOICES),
            default="elsewhere",
            help="what files marked accepted become: 'elsewhere' (shown as accepted elsewhere,"
            " the default) or 'review' (sent to review); never accepted without a review here",
        )

        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="who imports: named in the audit log and as the opener of review rounds",
        )

    def handle(self, *args, paths, workspace, format, dry_run, accepted, by, **options):
        importer = None
        if by:
            importer = get_user_model().objects.filter(username=by).first()
            if importer is None:
                raise CommandError(f"No user named {by!r}.")
        existing = Workspace.objects.filter(slug=workspace).first()
        found, refused = gather(paths)
        files, plan = collect(found)
        plan.problems[:0] = refused
        plan = make_plan(files, existing, format, plan=plan, accepted=accepted)
        self.report(plan, workspace, existing is None)
        if plan.problems:
            raise CommandError(f"{len(plan.problems)} problem(s); nothing was imported.")
        if not plan.items:
            raise CommandError("No ADR files found; nothing was imported.")
        try:
            with transaction.atomic():
                target = existing or Workspace.objects.create(
                    slug=workspace, name=workspace.replace("-", " ").title()
                )
                decisions = apply(plan, target, by=importer)
                if dry_run:
                    # The dry run is the import itself, undone: a clean dry run cannot fail later.
                    raise DryRun
        except DryRun:
            self.stdout.write(
                f"Dry run: {len(decisions)} decision(s) and {len(plan.links)} relation(s) would be"
                " imported; nothing was written."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(decisions)} decision(s) and {len(plan.links)} relation(s)"
                f" into '{workspace}'."
            )
        )

    def report(self, plan: Plan, workspace: str, new: bool) -> None:
        if new:
            self.stdout.write(f"Workspace '{workspace}' does not exist yet; it will be created.")
        for item in plan.items:
            status = Status(item.record.status).label.lower() + (
                ", to review" if item.review else ""
            )
            self.stdout.write(
                f"  ADR-{item.number:04d} {item.record.title} [{item.format}, {status}]"
                f" <- {item.filename}"
            )
            if item.kept_as_text:
                self.stdout.write(f"      kept as free text: {', '.join(item.kept_as_text)}")
            for warning in item.warnings:
                self.stdout.write(f"      note: {warning}")
        for note in plan.notes:
            self.stdout.write(f"  {note}")
        for skipped in plan.skipped:
            self.stdout.write(f"  skipped (not a decision: README, index or template): {skipped}")
        for refused in plan.refused:
            self.stderr.write(f"  NOT IMPORTED {refused}")
        for link in plan.links:
            self.stdout.write(f"  relation: {link[0]} {link[1].replace('_', ' ')} {link[2]}")
        for missing in plan.unresolved:
            self.stdout.write(f"  not linked: {missing}")
        for problem in plan.problems:
            self.stderr.write(f"  PROBLEM {problem}")
