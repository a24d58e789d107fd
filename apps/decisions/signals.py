"""Signals the decisions app sends beyond the model signals.

`bulk_create` sends no `post_save`, so code that creates decisions in bulk (an import) says so
here, and the apps above that act on a new decision (publishing stores its site body) hear it.
"""

from django.dispatch import Signal

# Sent with `decision_ids`, inside the transaction that created them.
decisions_created_in_bulk = Signal()
