"""The search document: each decision's searchable text, kept beside it."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

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
    # Title (A) and problem and outcome (B) only: ranking reads this small vector, not `vector`.
    rank_vector = SearchVectorField(null=True)
    # What the document was built from: a decision whose updated_at moved since is rebuilt.
    source_updated = models.DateTimeField()
    stale = models.BooleanField(default=False)

    # The GIN index on `vector` exists on PostgreSQL only: see migration 0002.

    def __str__(self) -> str:
        return f"Search document of {self.decision_id}"
