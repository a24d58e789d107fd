from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand

from apps.authoring.models import Kit

KITS_DIR = settings.BASE_DIR / "fixtures" / "kits"


def load_kits(folder: Path = KITS_DIR, reset: bool = False) -> list[Kit]:
    """Add the kits in `folder` that are missing; `reset` also overwrites edited ones."""
    loaded = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        fields = {
            "name": data["name"],
            "kind": data.get("kind", "kit"),
            "summary": data.get("summary", ""),
            "position": data.get("position", 0),
            "body": yaml.safe_dump(
                data.get("decision") or {}, sort_keys=False, allow_unicode=True, width=100
            ),
        }
        if reset:
            kit, _ = Kit.objects.update_or_create(slug=data["slug"], defaults=fields)
        else:
            # Kits edited in the admin stay as the team left them.
            kit, _ = Kit.objects.get_or_create(slug=data["slug"], defaults=fields)
        kit.full_clean()
        loaded.append(kit)
    return loaded


class Command(BaseCommand):
    help = "Load the starter kits and templates from fixtures/kits/ (those not there yet)."

    def add_arguments(self, parser):
        parser.add_argument("--folder", type=Path, default=KITS_DIR)
        parser.add_argument(
            "--reset", action="store_true", help="Overwrite kits edited in the admin."
        )

    def handle(self, *args, folder: Path, reset: bool, **options):
        kits = load_kits(folder, reset=reset)
        self.stdout.write(self.style.SUCCESS(f"{len(kits)} kits and templates are ready."))
