"""A model that moved app keeps its rows: the new app's migration adopts the old table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.activity.events import notify
from apps.activity.models import Notification
from apps.core.tables import adopt_table

from ..factories import make_user


def _historical_apps():
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(("activity", "0001_initial")).apps


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.mark.django_db(transaction=True)
def test_it_renames_the_old_table_keeping_its_rows():
    notify(make_user("ada"), "Kept across the move.", email=False)
    apps = _historical_apps()
    model = apps.get_model("activity", "Notification")
    # The database as the old `people` app left it.
    with connection.schema_editor() as editor:
        editor.alter_db_table(model, "activity_notification", "people_notification")
    assert "people_notification" in _tables()

    with connection.schema_editor() as editor:
        adopt_table("activity", "Notification", "people_notification").code(apps, editor)

    assert "people_notification" not in _tables()
    assert [n.message for n in Notification.objects.all()] == ["Kept across the move."]


@pytest.mark.django_db(transaction=True)
def test_it_creates_the_table_when_there_was_none():
    apps = _historical_apps()
    model = apps.get_model("activity", "Notification")
    with connection.schema_editor() as editor:
        editor.delete_model(model)
    assert "activity_notification" not in _tables()

    with connection.schema_editor() as editor:
        adopt_table("activity", "Notification", "people_notification").code(apps, editor)

    assert "activity_notification" in _tables()
    notify(make_user("ada"), "A new table works.", email=False)
    assert Notification.objects.count() == 1
