"""Fast bulk loading for demo data and billing imports.

One row per `save()` is far too slow for millions of rows: on PostgreSQL rows go through COPY,
elsewhere through `executemany`. Callers give table rows as tuples, primary keys included, so
that children can point at parents without reading them back.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import islice
from typing import Any

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
    """Loads into empty tables without their indexes and constraints (PostgreSQL).

    Maintaining the indexes row by row and queueing a deferred foreign-key check per row cost
    a bulk load of millions of rows most of its time (the primary key's index alone: COPY of
    the demo's 2.25 million readings took 11.5 s with it, 6.3 s without it and 1.0 s to build
    it afterwards); building each index once afterwards and checking each foreign key by one
    join is several times faster. Only a table that is empty when the load starts is touched:
    its primary key, unique constraints, indexes and foreign keys are dropped, and so are the
    other tables' foreign keys to it (they point at its primary key). Checks and NOT NULL stay.
    All is recreated from its own definition in the caller's transaction (primary keys, then
    indexes, unique constraints and foreign keys), so an error leaves the schema as it was.
    Elsewhere, or on a table that has rows, nothing changes.
    """
    if connection.vendor != "postgresql":
        yield
        return
    # (table, name, definition) of what was dropped, by kind, in the order of recreation.
    dropped: dict[str, list[tuple[str, str, str]]] = {"p": [], "i": [], "u": [], "f": []}
    seen: set[tuple[str, str]] = set()
    checked = False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in model_list:
            table = model._meta.db_table
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                continue
            # Foreign keys first (its own and the other tables' to it), then its unique
            # constraints and primary key, which the foreign keys depend on.
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
                "FROM pg_constraint WHERE (conrelid = %s::regclass AND contype IN ('p', 'u', 'f')) "
                "OR (confrelid = %s::regclass AND contype = 'f') "
                "ORDER BY contype = 'f' DESC, contype = 'u' DESC",
                [table, table],
            )
            constraints = [row for row in cursor.fetchall() if (row[0], row[1]) not in seen]
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = %s::regclass "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid)",
                [table],
            )
            indexes = cursor.fetchall()
            if not checked:
                checked = True
                # A table with foreign-key checks still queued cannot be altered: run them now
                # (they would have run at commit).
                connection.check_constraints()
            for owner, name, definition, kind in constraints:
                # The owner as regclass prints it: quoted where it needs to be.
                cursor.execute(f"ALTER TABLE {owner} DROP CONSTRAINT {quote(name)}")
                seen.add((owner, name))
                dropped[kind].append((owner, name, definition))
            for name, definition in indexes:
                cursor.execute(f"DROP INDEX {name}")  # the name as regclass prints it
                dropped["i"].append((table, name, definition))
    yield
    with connection.cursor() as cursor:
        for kind in ("p", "i", "u", "f"):
            for owner, name, definition in dropped[kind]:
                if kind == "i":
                    cursor.execute(definition)
                else:
                    cursor.execute(f"ALTER TABLE {owner} ADD CONSTRAINT {quote(name)} {definition}")


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


def vacuum_and_analyze(
    vacuumed: Sequence[type[models.Model]],
    analyzed: Sequence[type[models.Model]],
    *,
    connections: int = 2,
) -> None:
    """After a committed bulk load: VACUUM ANALYZE some tables and ANALYZE others (PostgreSQL).

    Statistics (and the visibility map, see `vacuum`) of a dozen tables of millions of rows
    take seconds, one table after another; once the rows are committed, other connections
    see them, so `connections` threads (each with its own connection) share the tables.
    Inside a transaction (a test's, or a caller's own) the rows are not committed: the tables
    are only analyzed, on this connection, as `analyze` does. Elsewhere nothing happens.
    """
    if connection.vendor != "postgresql":
        return
    if connection.in_atomic_block:
        analyze(*vacuumed, *analyzed)
        return
    quote = connection.ops.quote_name
    statements = [f"VACUUM (ANALYZE) {quote(m._meta.db_table)}" for m in vacuumed] + [
        f"ANALYZE {quote(m._meta.db_table)}" for m in analyzed
    ]

    def run(sql: str) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=connections) as pool:
        for done in [pool.submit(run, sql) for sql in statements]:
            done.result()


#: The row makers of the RowMakers that forked the current worker processes (see below).
_MAKERS: dict[str, Callable[[Any], Iterable[Sequence[object]]]] = {}


def copy_text(rows: Sequence[Sequence[object]]) -> bytes:
    """Rows in COPY's text format: values by `str`, None as \\N, booleans as True/False.

    A row of strings only (what the seed's makers give where they can) is joined as it is,
    several times faster than converting each value. Generated values rarely hold a tab, a
    newline or a backslash; the whole block is checked for them at once (a count of each is
    cheap) and only a block that has one is escaped.
    """
    if not rows:
        return b""
    lines, nulls = [], 0
    for row in rows:
        try:
            lines.append("\t".join(row))  # type: ignore[arg-type]
        except TypeError:
            lines.append("\t".join(["\\N" if value is None else str(value) for value in row]))
            nulls += row.count(None)
    text = "\n".join(lines) + "\n"
    width = len(rows[0])
    if (
        text.count("\t") != len(rows) * (width - 1)
        or text.count("\n") != len(rows)
        or text.count("\\") != nulls
        or "\r" in text
    ):
        text = "".join(
            "\t".join(["\\N" if value is None else _escaped(str(value)) for value in row]) + "\n"
            for row in rows
        )
    return text.encode()


def _escaped(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _made_as_copy_text(task: tuple[str, object]) -> tuple[int, bytes]:
    """In a worker: one part's rows as COPY text (the maker comes from the fork)."""
    name, part = task
    rows = list(_MAKERS[name](part))
    return len(rows), copy_text(rows)


class RowMakers:
    """Rows made by worker processes while this process loads earlier ones (PostgreSQL).

    A bulk load of generated rows is Python making rows and PostgreSQL storing them and
    building indexes, one after the other in one thread (and one core) each. Here `processes`
    forked workers make the rows, part by part, as COPY text; this process only hands the
    text to COPY, so that rows are made while PostgreSQL stores earlier ones or builds
    indexes. A maker is a function of a part (e.g. a range of meters) that yields the part's
    rows as tuples; it must not use the database (the workers are forks: they see what this
    process had made before the fork, and nothing later). `start` queues a table's parts at
    once, in the order they are to be loaded; `insert` loads them in that order. Rows and
    their order are the makers' own. Elsewhere (SQLite) nothing is forked: the parts are made
    when `insert` reaches them and go through `insert_rows`.
    """

    def __init__(
        self,
        makers: dict[str, Callable[[Any], Iterable[Sequence[object]]]],
        *,
        processes: int = 2,
    ) -> None:
        self.makers = makers
        self.processes = processes
        self.pool: Any = None

    def __enter__(self) -> RowMakers:
        if connection.vendor == "postgresql":
            _MAKERS.clear()
            _MAKERS.update(self.makers)
            # Niced: PostgreSQL's backend (which stores the rows) is the load's critical path,
            # the workers only need to stay ahead of it.
            self.pool = multiprocessing.get_context("fork").Pool(
                self.processes, initializer=os.nice, initargs=(10,)
            )
        return self

    def __exit__(self, *error: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        _MAKERS.clear()

    def start(self, name: str, parts: Iterable[object]) -> Iterator[Any]:
        """A table's parts queued for the workers (PostgreSQL) or made lazily (elsewhere)."""
        if self.pool is not None:
            return self.pool.imap(_made_as_copy_text, [(name, part) for part in parts])
        make = self.makers[name]
        return (row for part in parts for row in make(part))

    def insert(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        started: Iterator[Any],
        *,
        on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Loads what `start` queued into the model's table; returns how many rows."""
        if self.pool is None:
            return insert_rows(model, columns, started, on_batch=on_batch)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        total = 0
        with connection.cursor() as cursor:
            sql = f"COPY {table} ({names}) FROM STDIN"
            with connection.wrap_database_errors, cursor.copy(sql) as copy:
                for count, text in started:
                    copy.write(text)
                    total += count
                    if on_batch:
                        on_batch(count)
        return total
