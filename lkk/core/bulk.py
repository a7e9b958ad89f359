"""Fast bulk loading for demo data and billing imports.

One row per `save()` is far too slow for millions of rows: on PostgreSQL rows go through COPY,
elsewhere through `executemany`. Callers give table rows as tuples, primary keys included, so
that children can point at parents without reading them back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from queue import Full, Queue
from threading import Event, Thread
from typing import TypeVar

from django.core.management.color import no_style
from django.db import connection, models

T = TypeVar("T")


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

    On PostgreSQL all rows go through one COPY, so that the server stores rows while the caller
    is still making the next ones (`on_batch` is told every `batch_size` rows); elsewhere
    through `executemany`, `batch_size` rows at a time. A database error is Django's (an
    IntegrityError for a duplicate, as from an INSERT); a COPY is logged like a query when
    queries are (Django's debug cursor does it).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    total = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({names}) FROM STDIN"
            with connection.wrap_database_errors, cursor.copy(sql) as copy:
                while batch := list(islice(iterator, batch_size)):
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


@contextmanager
def indexes_after_load(*model_list: type[models.Model]) -> Iterator[None]:
    """Loads into empty tables without their secondary indexes and constraints (PostgreSQL).

    Maintaining five indexes row by row and queueing a deferred foreign-key check per row cost
    a bulk load of millions of rows most of its time; building each index once afterwards and
    checking each foreign key by one join is several times faster. Only a table that is empty
    when the load starts is touched (its primary key and checks stay); what is dropped is
    recreated from its own definition, in the caller's transaction, so an error leaves the
    schema as it was. Elsewhere, or on a table that has rows, nothing changes.
    """
    if connection.vendor != "postgresql":
        yield
        return
    saved: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in model_list:
            table = model._meta.db_table
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                continue
            # Unique constraints before foreign keys, so that they are recreated in that order.
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid)",
                [table],
            )
            indexes = cursor.fetchall()
            if not saved:
                # A table with foreign-key checks still queued cannot be altered: run them now
                # (they would have run at commit).
                connection.check_constraints()
            for name, _definition in constraints:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")  # the name as regclass prints it
            saved.append((table, constraints, indexes))
    yield
    with connection.cursor() as cursor:
        for table, constraints, indexes in saved:
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                )


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_DONE = object()


def made_ahead(rows: Iterable[T], *, chunk: int = 5000, ahead: int = 100) -> Iterator[T]:
    """The rows, made by a thread ahead of their consumer (at most `ahead` chunks of `chunk`).

    A bulk load alternates between Python making rows and the database storing them or
    building indexes; while the loading thread waits for the database (which does not hold the
    GIL), this thread makes the next rows, so that the machine's second core is used. The rows
    and their order are the same as the iterable's; its error is raised to the consumer. The
    iterable must not use the database connection.
    """
    queue: Queue = Queue(maxsize=ahead)
    stop = Event()

    def produce() -> None:
        try:
            iterator = iter(rows)
            while batch := list(islice(iterator, chunk)):
                while not stop.is_set():
                    try:
                        queue.put(batch, timeout=0.5)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(_DONE)
        except BaseException as error:  # handed to the consumer
            queue.put(_Failed(error))

    Thread(target=produce, name="made_ahead", daemon=True).start()

    def consume() -> Iterator[T]:
        try:
            while (item := queue.get()) is not _DONE:
                if isinstance(item, _Failed):
                    raise item.error
                yield from item
        finally:
            stop.set()

    return consume()


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


def vacuum(*model_list: type[models.Model]) -> None:
    """VACUUM after a bulk load (PostgreSQL, outside any transaction), as autovacuum would later.

    It marks the pages all-visible, so that the lists' index-only scans (a page's ids, counts)
    need not visit the table: without it the planner read and sorted a customer's rows to
    reach page 100. Does nothing inside a transaction or on another database.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in model_list:
            cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
