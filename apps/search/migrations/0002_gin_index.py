"""The GIN index behind PostgreSQL's full-text search; SQLite has no such index type."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS search_document_vector ON search_searchdocument USING gin (vector)"
)
DROP = "DROP INDEX IF EXISTS search_document_vector"


def _run(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
