"""Make versions immutable in the database itself, whatever code or SQL console talks to it."""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION versions_version_frozen() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'Versions are frozen: % on versions_version refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER versions_version_frozen
    BEFORE UPDATE OR DELETE ON versions_version
    FOR EACH ROW EXECUTE FUNCTION versions_version_frozen();
    """,
]
POSTGRESQL_UNDO = [
    "DROP TRIGGER IF EXISTS versions_version_frozen ON versions_version;",
    "DROP FUNCTION IF EXISTS versions_version_frozen();",
]

# SQLite: the same refusal. SQLite drops a table's triggers when a migration rebuilds the table,
# so a migration that alters Version must create them again (tests/versions/test_frozen.py checks
# they exist). Django's test flush empties tables with DELETE on SQLite (TRUNCATE, which row
# triggers ignore, on PostgreSQL): tests that commit versions erase them first, on purpose, with
# tests/versions/helpers.py:erase_versions.
SQLITE = [
    """
    CREATE TRIGGER versions_version_no_update BEFORE UPDATE ON versions_version
    BEGIN SELECT RAISE(ABORT, 'Versions are frozen: UPDATE on versions_version refused'); END;
    """,
    """
    CREATE TRIGGER versions_version_no_delete BEFORE DELETE ON versions_version
    BEGIN SELECT RAISE(ABORT, 'Versions are frozen: DELETE on versions_version refused'); END;
    """,
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS versions_version_no_update;",
    "DROP TRIGGER IF EXISTS versions_version_no_delete;",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            # No parameters: the PL/pgSQL body uses % of its own.
            schema_editor.execute(sql, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("versions", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_UNDO, "sqlite": SQLITE_UNDO}),
        )
    ]
