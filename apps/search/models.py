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
    # A hash of the four texts: what a snippet cut from them is cached under, with the words
    # (results.py). A comment changes the text but not the decision's updated_at. Nullable with
    # no default, so that SQLite adds the column in place: remaking the table would drop the
    # triggers that keep the FTS5 index in step with it (migration 0005).
    digest = models.CharField(max_length=32, null=True)

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


class TextIndex(models.Model):
    """SQLite's full-text index of the search documents: an FTS5 table that triggers keep in step
    with `SearchDocument` (migration 0005), so SQLite finds a word by index, ranks by bm25 and
    cuts snippets, as PostgreSQL does with its GIN index. Read only, and only on SQLite.

    `match` is FTS5's hidden column named after the table: `filter(text_index__match=expr)` is
    `WHERE search_fts MATCH expr`; `rank` is bm25 with the weights set in the migration.
    """

    decision = models.OneToOneField(
        Decision,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        related_name="text_index",
    )
    match = models.TextField(db_column="search_fts")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "search_fts"

    def __str__(self) -> str:
        return f"Text index of {self.decision_id}"


def _comment_saved(sender, instance, **kwargs) -> None:
    # Comments do not touch their decision's row, so its document is told directly.
    SearchDocument.objects.filter(decision__threads=instance.thread_id).update(stale=True)


# A signal, named by label: reviews sits below search and must not know that search reads its
# comments.
post_save.connect(_comment_saved, sender="reviews.Comment", dispatch_uid="search-comment")
