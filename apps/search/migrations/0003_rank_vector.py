"""Title and problem vectors for ranking (tiers: title, then problem and outcome, then the rest).

Each has a GIN index on PostgreSQL, so ranking thousands of matches reads two indexes instead of
every matching document's text.
"""

import django.contrib.postgres.search
from django.db import migrations

INDEXES = ("title_vector", "head_vector")
CREATE = [
    f"CREATE INDEX IF NOT EXISTS search_document_{c} ON search_searchdocument USING gin ({c})"
    for c in INDEXES
]
DROP = [f"DROP INDEX IF EXISTS search_document_{c}" for c in INDEXES]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_gin_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="head_vector",
            field=django.contrib.postgres.search.SearchVectorField(null=True),
        ),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
