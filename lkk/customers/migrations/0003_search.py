"""Substring search (lkk/core/lists.py) through indexes on PostgreSQL.

Points and meters keep what their lists search lower-cased in a stored generated column
(`search_text`): a search compares stored text instead of lower-casing columns of every row. On
PostgreSQL a GIN index starts with the counterparty (btree_gin), then the searched text as
trigrams (pg_trgm): `search_text LIKE '%…%'` of one customer is answered from the index; the
contract number is lower-cased in its own. Both extensions are trusted: the database's owner may
create them. SQLite has no such index; its lists search the customer's own rows.
"""

from django.db import migrations, models
from django.db.models.functions import text

TRIGRAM_INDEXES = {
    "point_search_trgm": ("customers_meteringpoint", "search_text"),
    "meter_search_trgm": ("customers_meter", "search_text"),
    "contract_search_trgm": ("customers_contract", "lower(number)"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, (table, searched) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (counterparty_id, ({searched}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="meter",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=text.Lower(text.Concat("serial_number", models.Value("\n"), "model")),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddField(
            model_name="meteringpoint",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=text.Lower(
                    text.Concat("code", models.Value("\n"), "name", models.Value("\n"), "address")
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
