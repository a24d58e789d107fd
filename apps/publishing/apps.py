from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """Docs as code: a workspace linked to a git repository, and the log as a static site."""

    name = "apps.publishing"

    def ready(self) -> None:
        # This app's own receivers, once models are loaded: they register the site with the
        # exports and listen for frozen versions, so the apps below never import this one.
        from . import receivers  # noqa: F401
