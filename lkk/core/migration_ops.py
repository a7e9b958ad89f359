"""Operations shared by migrations."""

from __future__ import annotations

from django.db import migrations


def without_pattern_index(app_label: str, *model_names: str) -> migrations.RunPython:
    """Drops the `_like` index Django gives a unique `billing_id` on PostgreSQL (reversible).

    Django adds a second index with varchar_pattern_ops to every unique or indexed text column,
    for LIKE 'prefix%' outside the C locale. Billing's IDs are only ever matched whole (the
    exchange, the seed's checks), so the second index only costs every write and every bulk
    load (2.3 s of the demo seed's 2.25 million readings); the unique index answers `=`.
    """

    def names(apps, schema_editor):
        for name in model_names:
            model = apps.get_model(app_label, name)
            field = model._meta.get_field("billing_id")
            yield (
                model,
                field,
                schema_editor._create_index_name(
                    model._meta.db_table, [field.column], suffix="_like"
                ),
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for _model, _field, index in names(apps, schema_editor):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for model, field, _index in names(apps, schema_editor):
            schema_editor.execute(schema_editor._create_like_index_sql(model, field))

    return migrations.RunPython(drop, create, elidable=False)
