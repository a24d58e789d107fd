"""SQLite: an FTS5 index of the search documents, kept in step with them by triggers.

Without it SQLite searched with LIKE over every document's text (about 17 kB each), 340 ms to
1 s at 10,000 decisions. The FTS5 table reads its text from `search_searchdocument` (an
external-content table, so the text is not stored twice) and is written by triggers on insert,
delete and on an update of the text columns only (marking a document stale rewrites nothing).
Ranking is bm25 with the title weighted above the problem and outcome, above the rest, as
PostgreSQL's weights A, B and C. PostgreSQL keeps its GIN indexes (0002, 0003); there the model
is state only and no table is made.
"""

import django.db.models.deletion
from django.db import migrations, models

CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, head, body, comments, "
    "content='search_searchdocument', content_rowid='decision_id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    """CREATE TRIGGER IF NOT EXISTS search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, head, body, comments)
        VALUES (new.decision_id, new.title, new.head, new.body, new.comments);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, head, body, comments)
        VALUES ('delete', old.decision_id, old.title, old.head, old.body, old.comments);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_update
    AFTER UPDATE OF title, head, body, comments ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, head, body, comments)
        VALUES ('delete', old.decision_id, old.title, old.head, old.body, old.comments);
        INSERT INTO search_fts(rowid, title, head, body, comments)
        VALUES (new.decision_id, new.title, new.head, new.body, new.comments);
    END""",
    "INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 1.0)')",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0006_source_file_record"),
        ("search", "0004_stale_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="TextIndex",
            fields=[
                (
                    "decision",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="text_index",
                        serialize=False,
                        to="decisions.decision",
                    ),
                ),
                ("match", models.TextField(db_column="search_fts")),
                ("rank", models.FloatField()),
            ],
            options={"db_table": "search_fts", "managed": False},
        ),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
