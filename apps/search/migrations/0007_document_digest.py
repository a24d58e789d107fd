"""Each search document's digest: a hash of its text, which its cached snippets are keyed on.

The documents already built get theirs here, so that no two texts of one document ever share a
key (an empty digest would stand for whatever text a document had before this migration). The
column is nullable with no default, so that SQLite adds it in place: remaking the table, as it
does for a column with a default, would drop the FTS5 index's triggers (0005).
"""

import hashlib

from django.db import migrations, models

TEXTS = ("title", "head", "body", "comments")
BATCH = 500


def _digest(document) -> str:
    # The same hash as apps.search.index.digest; another one would only miss the cache once.
    joined = "\x00".join(getattr(document, name) for name in TEXTS)
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def digest_documents(apps, schema_editor) -> None:
    SearchDocument = apps.get_model("search", "SearchDocument")
    documents = SearchDocument.objects.order_by("pk").only("pk", *TEXTS)
    ids = list(documents.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(documents.filter(pk__in=ids[start : start + BATCH]))
        for document in batch:
            document.digest = _digest(document)
        SearchDocument.objects.bulk_update(batch, ["digest"])


class Migration(migrations.Migration):
    dependencies = [("search", "0006_vector_inline")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="digest",
            field=models.CharField(max_length=32, null=True),
        ),
        migrations.RunPython(digest_documents, migrations.RunPython.noop),
    ]
