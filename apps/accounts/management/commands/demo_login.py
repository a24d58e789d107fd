from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the demo login, if the example data is loaded."

    def handle(self, *args, **options):
        if not get_user_model().objects.filter(username="demo").exists():
            self.stdout.write("No demo user: load the example data with `manage.py load_example`.")
            return
        port = settings_port()
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Adroit: http://127.0.0.1:{port}/\n"
                f"  Sign in as  user: demo   password: {settings.DEMO_PASSWORD}\n"
            )
        )


def settings_port() -> str:
    import os

    return os.environ.get("PORT", "8000")
