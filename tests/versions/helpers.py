"""Erasing committed versions on purpose, for tests that commit them (transaction=True).

Django's test flush empties tables with DELETE on SQLite, which the frozen-version trigger refuses;
this drops the trigger, empties the table and creates the trigger again, with the migration's SQL.
PostgreSQL flushes with TRUNCATE, which row triggers ignore, so nothing is needed there.
"""

from importlib import import_module

from django.db import connection, transaction

triggers = import_module("apps.versions.migrations.0002_frozen_triggers")


def erase_versions() -> None:
    if connection.vendor != "sqlite":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in triggers.SQLITE_UNDO:
            cursor.execute(sql)
        cursor.execute("DELETE FROM reviews_approval")
        cursor.execute("DELETE FROM reviews_contribution")
        cursor.execute("DELETE FROM versions_version")
        for sql in triggers.SQLITE:
            cursor.execute(sql)


HIDDEN = '<span class="visually-hidden">'


def removed(words: str) -> str:
    """Words a diff page shows as removed: struck through, and said so to screen readers."""
    return f"<del>{HIDDEN}[removed: </span>{words}{HIDDEN}]</span></del>"


def added(words: str) -> str:
    return f"<ins>{HIDDEN}[added: </span>{words}{HIDDEN}]</span></ins>"
