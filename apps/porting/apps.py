from django.apps import AppConfig


class PortingConfig(AppConfig):
    name = "apps.porting"
