"""PostgreSQL: keep each document's tsvector in the table's own row, not in TOAST.

A document's vector is about 6 kB, which pglz does not shrink, so with the default storage every
vector lived out of line: ranking 501 candidates read some 1,500 TOAST chunks, and the planner,
which prices `vector @@ query` without that read, chose a scan that tested each row's vector
(22 ms of a common word's 25 ms at 10,000 documents) unless told to use the GIN index
(`matching_by_index`). Stored MAIN, a vector stays in its row whenever the row fits a page
(the texts go to TOAST first): the planner's costs are then the real ones and it picks the
index itself, and ranking reads the page the match was found on.

Storage applies to values written after it changes, so the existing vectors are written again.
SQLite has no such storage and searches through FTS5 (0005).
"""

from django.db import migrations

INLINE = [
    "ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE MAIN",
    # A new value of the same vector, so that it is stored the new way.
    "UPDATE search_searchdocument SET vector = vector || ''::tsvector WHERE vector IS NOT NULL",
]
OUT_OF_LINE = ["ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE EXTENDED"]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_text_index")]

    operations = [migrations.RunPython(_run(INLINE), _run(OUT_OF_LINE))]
