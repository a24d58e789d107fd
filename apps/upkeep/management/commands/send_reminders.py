"""Send today's reminder digests: run it daily (cron, or the `reminders` service of
docker-compose). Running it again, or on several machines at once, sends nobody a second one."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from apps.upkeep.reminders import send_reminders


class Command(BaseCommand):
    help = "Email and notify each person once a day of the reviews and checks due for them."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--day",
            help="The day to send for, YYYY-MM-DD (default: today). For catching up by hand.",
        )

    def handle(self, *args, **options) -> None:
        day = None
        if options["day"]:
            try:
                day = datetime.date.fromisoformat(options["day"])
            except ValueError as error:
                raise CommandError(f"--day must be a date such as 2027-01-31: {error}") from None
        sent = send_reminders(day)
        self.stdout.write(f"Sent {sent} reminder digest{'s' if sent != 1 else ''}.")
