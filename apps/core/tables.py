"""Moving a model to another app without losing its rows.

A model that moves app keeps its data: on a database that already has the old table, the first
migration of the new app renames it; on a new database it creates the table. Use it after a
state-only `CreateModel` (see apps/activity/migrations/0001_initial.py).
"""

from __future__ import annotations

from django.db import migrations


def adopt_table(app_label: str, model_name: str, old_table: str) -> migrations.RunPython:
    def forwards(apps, schema_editor) -> None:
        model = apps.get_model(app_label, model_name)
        if old_table in schema_editor.connection.introspection.table_names():
            schema_editor.alter_db_table(model, old_table, model._meta.db_table)
        else:
            schema_editor.create_model(model)

    def backwards(apps, schema_editor) -> None:
        model = apps.get_model(app_label, model_name)
        schema_editor.alter_db_table(model, model._meta.db_table, old_table)

    return migrations.RunPython(forwards, backwards)
