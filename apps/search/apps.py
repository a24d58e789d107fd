from django.apps import AppConfig
from django.db.models.signals import post_save


class SearchConfig(AppConfig):
    name = "apps.search"

    def ready(self) -> None:
        # Models can be imported only once the app registry is ready, hence here.
        from apps.reviews.models import Comment

        post_save.connect(_comment_saved, sender=Comment, dispatch_uid="search-comment")


def _comment_saved(sender, instance, **kwargs) -> None:
    # Comments do not touch their decision's row, so its document is told directly.
    from .models import SearchDocument  # see ready()

    SearchDocument.objects.filter(decision__threads=instance.thread_id).update(stale=True)
