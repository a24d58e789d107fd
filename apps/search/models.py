"""The search document: each decision's searchable text, kept beside it."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.signals import post_save

from apps.decisions.models import Decision


class SearchDocument(models.Model):
    """What search reads for one decision, rebuilt when the decision changes (see index.py).

    `vector` is PostgreSQL's tsvector (title weighted A, problem and outcome B, the rest C) behind
    a GIN index; SQLite keeps the column empty and searches the text columns instead.
    """

    decision = models.OneToOneField(
        Decision, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField()
    head = models.TextField(help_text="Problem statement, context, drivers and outcome.")
    body = models.TextField(help_text="Scenarios, considerations, options, consequences, notes.")
    comments = models.TextField(blank=True)
    vector = SearchVectorField(null=True)
    # Ranking tiers (a title match, then problem and outcome), each behind a GIN index.
    title_vector = SearchVectorField(null=True)
    head_vector = SearchVectorField(null=True)
    # What the document was built from: a decision whose updated_at moved since is rebuilt.
    source_updated = models.DateTimeField()
    stale = models.BooleanField(default=False)

    # The GIN indexes on the vectors exist on PostgreSQL only: see migrations 0002 and 0003.

    class Meta:
        indexes = [
            # What refresh() looks up on every search: the few documents marked stale.
            models.Index(
                fields=["decision"], condition=models.Q(stale=True), name="search_document_stale"
            )
        ]

    def __str__(self) -> str:
        return f"Search document of {self.decision_id}"


def _comment_saved(sender, instance, **kwargs) -> None:
    # Comments do not touch their decision's row, so its document is told directly.
    SearchDocument.objects.filter(decision__threads=instance.thread_id).update(stale=True)


# A signal, named by label: reviews sits below search and must not know that search reads its
# comments.
post_save.connect(_comment_saved, sender="reviews.Comment", dispatch_uid="search-comment")
