"""Triggers that mark a decision's search document stale in the statement that changes it.

Before a search, `refresh()` rebuilds the documents out of date. It found them by comparing each
decision changed in the last two minutes with its document (the margin covers transactions that
commit after they stamp `updated_at`), so for two minutes after an import or a seed of 10,000
decisions every search joined all of them to their documents again: 16 ms of a 25 ms search on
PostgreSQL. With these triggers a new decision gets an empty document marked stale and a decision
whose `updated_at` moves gets its document marked stale, in the same transaction, so the check on
each search is the partial index of stale documents (0004), whatever was changed lately.

The update trigger locks the document even when it is already stale: a rebuild that read the
decision before the change then waits for the change to commit, and sees it when it re-checks
the rows it wrote (`index.index_decisions`).

SQLite drops a table's triggers when a migration remakes the table: tests/search checks that
these exist after every migration.
"""

from django.db import migrations

POSTGRESQL = [
    """CREATE FUNCTION search_documents_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_searchdocument
            (decision_id, title, head, body, comments, source_updated, stale)
        SELECT id, '', '', '', '', updated_at, true FROM added
        ON CONFLICT (decision_id) DO UPDATE SET stale = true;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION search_documents_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM search_searchdocument d
        JOIN changed c ON c.id = d.decision_id JOIN before b ON b.id = c.id
        WHERE b.updated_at IS DISTINCT FROM c.updated_at
        ORDER BY d.decision_id FOR UPDATE OF d;
        UPDATE search_searchdocument d SET stale = true
        FROM changed c JOIN before b ON b.id = c.id
        WHERE d.decision_id = c.id AND NOT d.stale
        AND b.updated_at IS DISTINCT FROM c.updated_at;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER search_documents_added AFTER INSERT ON decisions_decision "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION search_documents_added()",
    "CREATE TRIGGER search_documents_changed AFTER UPDATE ON decisions_decision "
    "REFERENCING OLD TABLE AS before NEW TABLE AS changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_documents_changed()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS search_documents_added ON decisions_decision",
    "DROP TRIGGER IF EXISTS search_documents_changed ON decisions_decision",
    "DROP FUNCTION IF EXISTS search_documents_added()",
    "DROP FUNCTION IF EXISTS search_documents_changed()",
]
SQLITE = [
    # SQLite runs one writer at a time: no lock to take, the write waits its turn.
    """CREATE TRIGGER IF NOT EXISTS search_documents_added AFTER INSERT ON decisions_decision
    BEGIN
        INSERT INTO search_searchdocument
            (decision_id, title, head, body, comments, source_updated, stale)
        VALUES (new.id, '', '', '', '', new.updated_at, 1)
        ON CONFLICT (decision_id) DO UPDATE SET stale = 1;
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_documents_changed
    AFTER UPDATE OF updated_at ON decisions_decision
    WHEN old.updated_at IS NOT new.updated_at
    BEGIN
        UPDATE search_searchdocument SET stale = 1 WHERE decision_id = new.id AND NOT stale;
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_documents_added",
    "DROP TRIGGER IF EXISTS search_documents_changed",
]
# Documents already out of date, and decisions without one, as the triggers would have left them.
CATCH_UP = [
    "UPDATE search_searchdocument SET stale = true WHERE NOT stale AND source_updated <> "
    "(SELECT updated_at FROM decisions_decision WHERE id = search_searchdocument.decision_id)",
    "INSERT INTO search_searchdocument "
    "(decision_id, title, head, body, comments, source_updated, stale) "
    "SELECT id, '', '', '', '', updated_at, true FROM decisions_decision "
    "WHERE id NOT IN (SELECT decision_id FROM search_searchdocument)",
]


def _run(postgresql: list[str], sqlite: list[str]):
    def run(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        for sql in postgresql if vendor == "postgresql" else sqlite if vendor == "sqlite" else []:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0010_folder_stamp_index"),
        ("search", "0007_document_digest"),
    ]

    operations = [
        migrations.RunPython(
            _run(POSTGRESQL + CATCH_UP, SQLITE + CATCH_UP), _run(POSTGRESQL_DROP, SQLITE_DROP)
        ),
    ]
