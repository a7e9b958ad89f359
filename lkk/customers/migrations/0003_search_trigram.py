"""Substring search (lkk/core/lists.py) through indexes on PostgreSQL; nothing on SQLite.

Each index starts with the counterparty (btree_gin), then the lower-cased searched columns as
trigrams (pg_trgm): `lower(code) LIKE '%…%'` of one customer is then answered from the index,
without reading other customers' rows. Both extensions are trusted: the database's owner may
create them. SQLite has no such index; its lists search the customer's own rows.
"""

from django.db import migrations

INDEXES = {
    "point_search_trgm": ("customers_meteringpoint", ("code", "name", "address")),
    "meter_search_trgm": ("customers_meter", ("serial_number", "model")),
    "contract_search_trgm": ("customers_contract", ("number",)),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, (table, columns) in INDEXES.items():
        trigrams = ", ".join(f"lower({column}) gin_trgm_ops" for column in columns)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (counterparty_id, {trigrams})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_list_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
