"""`manage.py worker`: the background worker for whichever task backend the settings name.

Without REDIS_URL the queue is a database table and `db_worker` serves it; with REDIS_URL the
queue is in Redis and RQ's `rqworker` serves it. `make run`, `make worker` and docker-compose call
this command, so none of them needs to know which backend is configured.
"""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

RQ_BACKEND = "django_tasks_rq.RQBackend"
DB_BACKEND = "django_tasks_db.DatabaseBackend"


class Command(BaseCommand):
    help = "Run a background worker on the given queues (all of them by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            help="A queue to serve (repeat for several); default: every queue in TASK_QUEUES.",
        )
        parser.add_argument(
            "--burst", action="store_true", help="Run what is queued now, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queues = options["queues"] or list(settings.TASK_QUEUES)
        unknown = sorted(set(queues) - set(settings.TASK_QUEUES))
        if unknown:
            raise CommandError(
                f"No such queue: {', '.join(unknown)} (queues: {', '.join(settings.TASK_QUEUES)})"
            )
        backend = settings.TASKS["default"]["BACKEND"]
        quiet = options["verbosity"] < 1
        if backend == RQ_BACKEND:
            call_command(
                "rqworker",
                *queues,
                job_class="django_tasks_rq.Job",
                burst=options["burst"],
                verbosity=options["verbosity"],
            )
        elif backend == DB_BACKEND:
            call_command(
                "db_worker",
                queue_name=",".join(queues),
                batch=options["burst"],
                startup_delay=False,
                verbosity=0 if quiet else options["verbosity"],
            )
        else:
            raise CommandError(f"No worker for the task backend {backend}: tasks run as queued.")
