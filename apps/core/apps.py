from django.apps import AppConfig
from django.db.models.signals import pre_save

from .text import clean_one_line_fields


class CoreConfig(AppConfig):
    name = "apps.core"

    def ready(self) -> None:
        pre_save.connect(clean_one_line_fields, dispatch_uid="core_clean_one_line_fields")
