from django.apps import AppConfig


class AuthoringConfig(AppConfig):
    name = "apps.authoring"
