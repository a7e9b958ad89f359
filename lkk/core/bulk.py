"""Fast bulk loading for demo data and billing imports.

One row per `save()` is far too slow for millions of rows: on PostgreSQL rows go through COPY,
elsewhere through `executemany`. Callers give table rows as tuples, primary keys included, so
that children can point at parents without reading them back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from django.core.management.color import no_style
from django.db import connection, models


def next_id(model: type[models.Model]) -> int:
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    batch_size: int = 5000,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Inserts rows into the model's table; returns how many. Runs in the caller's transaction.

    A database error is Django's (an IntegrityError for a duplicate, as from an INSERT); each
    COPY is logged like a query when queries are (Django's debug cursor does it).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    total = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({names}) FROM STDIN"
            while batch := list(islice(iterator, batch_size)):
                with connection.wrap_database_errors, cursor.copy(sql) as copy:
                    for row in batch:
                        copy.write_row(row)
                total += len(batch)
                if on_batch:
                    on_batch(len(batch))
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 — names are quoted identifiers
            while batch := list(islice(iterator, batch_size)):
                cursor.executemany(sql, batch)
                total += len(batch)
                if on_batch:
                    on_batch(len(batch))
    return total


def reset_sequences(*model_list: type[models.Model]) -> None:
    """After inserting explicit primary keys, PostgreSQL's sequences must move past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def analyze(*model_list: type[models.Model]) -> None:
    """Fresh statistics after a bulk load, so the planner does not guess from empty tables."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in model_list:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
