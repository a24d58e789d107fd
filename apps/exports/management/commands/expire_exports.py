"""`manage.py expire_exports`: delete finished exports older than ADROIT_EXPORTS_KEEP_DAYS.

Workers already sweep after each job; this is for cron on a quiet instance, or to free the
storage at once after lowering the setting.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.exports.models import ExportJob


class Command(BaseCommand):
    help = "Delete exports (and their files) older than ADROIT_EXPORTS_KEEP_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = ExportJob.objects.expire()
        days = settings.ADROIT_EXPORTS_KEEP_DAYS
        self.stdout.write(f"Deleted {deleted} export(s) older than {days} days.")
