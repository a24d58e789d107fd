from django.core.management.base import BaseCommand, CommandError

from apps.publishing.models import Repository
from apps.publishing.sync import pull, push
from apps.publishing.tasks import Busy, run_safely


class Command(BaseCommand):
    help = (
        "Pull every linked repository (files changed in git come in as drafts or new decisions),"
        " then push accepted decisions git does not have yet. Run it on a schedule (cron, a"
        " Kubernetes CronJob, the `sync` service of docker-compose). Exits 1 if any failed; each"
        " failure is also shown on its workspace's repository page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="only this workspace's repository (its slug)")

    def handle(self, *args, workspace: str | None, **options):
        repos = Repository.objects.select_related("workspace").order_by("pk")
        if workspace:
            repos = repos.filter(workspace__slug=workspace)
            if not repos.exists():
                raise CommandError(f"No repository is linked to a workspace {workspace!r}.")
        failed = 0
        for repo in repos:

            def both(repo=repo):
                outcome = pull(repo)
                pushed = push(repo, None, message="Adroit: publish decisions not yet in git")
                outcome.pushed, outcome.commit = pushed.pushed, pushed.commit
                return outcome

            try:
                outcome = run_safely(repo, "Sync", both)
            except Busy as error:
                self.stdout.write(f"{repo.workspace.slug}: skipped. {error}")
                continue
            if outcome is None:
                failed += 1
                self.stderr.write(f"{repo.workspace.slug}: {repo.last_error}")
            else:
                self.stdout.write(f"{repo.workspace.slug}: {outcome}")
        if failed:
            raise CommandError(f"{failed} repositor{'y' if failed == 1 else 'ies'} failed.")
