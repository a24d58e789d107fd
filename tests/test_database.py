import os

from django.core.management import call_command
from django.db import connection

from apps.accounts.management.commands.load_example import load_example

from .versions.helpers import erase_versions


def test_it_runs_on_the_database_that_database_url_names(db):
    url = os.environ.get("DATABASE_URL", "sqlite://")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def rows_left() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return {table: count for table, count in counts.items() if count}


def test_it_empties_every_table_between_transactional_tests(transactional_db):
    # The example fills most tables, frozen versions (which refuse DELETE) among them. Without
    # the post_migrate signal nothing is written back after the flush (conftest flush_by_delete).
    load_example(password="demo")
    assert {"versions_version", "decisions_decision", "auth_user"} <= set(rows_left())

    erase_versions()  # SQLite's flush is a DELETE, which its trigger refuses (a no-op elsewhere)
    # As a transactional test's teardown calls it (TransactionTestCase._fixture_teardown).
    call_command(
        "flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True
    )

    assert rows_left() == {}
