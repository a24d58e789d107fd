from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.formats.readers import FORMATS
from apps.imports.importing import (
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


class Command(BaseCommand):
    help = (
        "Import ADR Markdown files (files, folders or zips) into a workspace, creating it if"
        " needed. Everything lands, or nothing does."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--format", choices=["auto", *FORMATS], default="auto")
        parser.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")

    def handle(self, *args, paths, workspace, format, dry_run, **options):
        existing = Workspace.objects.filter(slug=workspace).first()
        found, refused = gather(paths)
        files, plan = collect(found)
        plan.problems[:0] = refused
        plan = make_plan(files, existing, format, plan=plan)
        self.report(plan, workspace, existing is None)
        if plan.problems:
            raise CommandError(f"{len(plan.problems)} problem(s); nothing was imported.")
        if not plan.items:
            raise CommandError("No ADR files found; nothing was imported.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        with transaction.atomic():
            target = existing or Workspace.objects.create(
                slug=workspace, name=workspace.replace("-", " ").title()
            )
            decisions = apply(plan, target)
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
            self.stdout.write(
                f"  ADR-{item.number:04d} {item.record.title} [{item.format}, {item.record.status}]"
                f" <- {item.filename}"
            )
            if item.kept_as_text:
                self.stdout.write(f"      kept as free text: {', '.join(item.kept_as_text)}")
            for warning in item.warnings:
                self.stdout.write(f"      note: {warning}")
        for note in plan.notes:
            self.stdout.write(f"  {note}")
        for link in plan.links:
            self.stdout.write(f"  relation: {link[0]} {link[1].replace('_', ' ')} {link[2]}")
        for missing in plan.unresolved:
            self.stdout.write(f"  not linked: {missing}")
        for problem in plan.problems:
            self.stderr.write(f"  PROBLEM {problem}")
