"""Bulk loading: COPY in one stream, indexes after the load, rows made by worker processes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction

from lkk.core.bulk import RowMakers, copy_text, indexes_after_load, insert_rows
from lkk.readings.models import Correction, Reading

ODD_ROWS = [
    (1, "plain", None, True, Decimal("1.50"), dt.date(2026, 1, 2)),
    (2, "tab\there", "new\nline", False, Decimal("0"), dt.date(2026, 1, 3)),
    (3, "back\\slash \\N", "cr\r", None, None, None),
]


def _parse_copy_text(data: bytes) -> list[tuple]:
    """COPY's text format read back the way PostgreSQL reads it (for the SQLite run too)."""
    unescape = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
    rows = []
    for line in data.decode().split("\n")[:-1]:
        values = []
        for field in line.split("\t"):
            if field == "\\N":
                values.append(None)
                continue
            out, chars = [], iter(field)
            for char in chars:
                out.append(unescape[next(chars)] if char == "\\" else char)
            values.append("".join(out))
        rows.append(tuple(values))
    return rows


def test_copy_text_escapes_only_what_needs_it():
    expected = [tuple(None if v is None else str(v) for v in row) for row in ODD_ROWS]
    assert _parse_copy_text(copy_text(ODD_ROWS)) == expected
    assert copy_text(ODD_ROWS[:1]) == b"1\tplain\t\\N\tTrue\t1.50\t2026-01-02\n"
    assert copy_text([]) == b""


def _odd_names(part):
    """Rows of one column (a group's name) with tabs, newlines and backslashes in them."""
    start, stop = part
    for n in range(start, stop):
        yield (f"group {n}\t{'x' * (n % 3)}" + ("\\N" if n % 2 else "\nline"),)


def _broken(part):
    yield ("fine",)
    raise ValueError(f"part {part} broke")


@pytest.mark.django_db(transaction=True)
def test_row_makers_load_every_part_in_order():
    """Forked workers (PostgreSQL) or lazily here (SQLite): the same rows in the same order."""
    with RowMakers({"odd": _odd_names}) as made:
        started = made.start("odd", [(0, 7), (7, 8), (8, 8), (8, 25)])
        seen = []
        count = made.insert(Group, ("name",), started, on_batch=seen.append)
    expected = [name for (name,) in _odd_names((0, 25))]
    assert count == 25
    assert sum(seen) == 25
    assert list(Group.objects.order_by("pk").values_list("name", flat=True)) == expected


@pytest.mark.django_db(transaction=True)
def test_a_makers_error_reaches_the_loader_and_nothing_is_stored():
    with (
        pytest.raises(ValueError, match="broke"),
        transaction.atomic(),
        RowMakers({"broken": _broken}) as made,
    ):
        made.insert(Group, ("name",), made.start("broken", [(0, 1)]))
    assert not Group.objects.filter(name="fine").exists()


def _schema(table: str) -> tuple[list, list]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
            [table],
        )
        return constraints, cursor.fetchall()


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_empty_table_gets_back_every_index_and_constraint(customer_a):
    assert connection.vendor == "postgresql", "run: make test-postgres"
    table = Reading._meta.db_table
    Reading.objects.all().delete()
    before = _schema(table)
    columns = ("meter_id", "zone", "value", "read_on", "source", "status", "rejection_reason",
               "created_at", "rolled_over", "to_export")  # fmt: skip
    row = (customer_a.meter.pk, "total", "1.5", dt.date(2026, 1, 1), "customer", "accepted", "",
           dt.datetime(2026, 1, 1, tzinfo=dt.UTC), False, False)  # fmt: skip
    # Another table's foreign key to it goes and comes back with its primary key.
    corrections = Correction._meta.db_table
    corrections_before = _schema(corrections)
    with transaction.atomic(), indexes_after_load(Reading):
        assert _schema(table) != before  # loading without them
        assert not _schema(table)[1]  # not even the primary key's index
        assert _schema(corrections) != corrections_before
        insert_rows(Reading, columns, [row])
    assert _schema(table) == before
    assert _schema(corrections) == corrections_before
    assert Reading.objects.get().value == 1.5


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_table_with_rows_is_left_alone(customer_a):
    assert connection.vendor == "postgresql", "run: make test-postgres"
    table = Reading._meta.db_table
    assert Reading.objects.exists()
    before = _schema(table)
    with transaction.atomic(), indexes_after_load(Reading):
        assert _schema(table) == before


@pytest.mark.postgres
@pytest.mark.django_db
def test_billing_rows_have_no_index_they_do_not_use():
    """Every index is built after a bulk load and kept on every write: billing's IDs are
    matched whole (no LIKE pattern index), and a foreign key that leads a unique index has no
    index of its own; a reading's submission and author are indexed only where present."""
    from lkk.billing.models import Charge, ChargeLine, Document, Payment, TariffComponent

    assert connection.vendor == "postgresql", "run: make test-postgres"
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes")
        indexes = cursor.fetchall()
    tables = {m._meta.db_table for m in (Reading, Charge, ChargeLine, Document, Payment,
                                         TariffComponent)}  # fmt: skip
    ours = [(t, name, d) for t, name, d in indexes if t in tables]
    assert not [name for _t, name, d in ours if "pattern_ops" in d]
    single = {(t, d.split("(")[-1].rstrip(")")) for t, _n, d in ours if "," not in d}
    for table, column in (
        ("readings_reading", "meter_id"),
        ("billing_charge", "contract_id"),
        ("billing_chargeline", "charge_id"),
        ("billing_tariffcomponent", "contract_id"),
    ):
        assert (table, column) not in single
    partial = {name: d for t, name, d in ours if t == "readings_reading" and "WHERE" in d}
    assert "submitted_by_id IS NOT NULL" in partial["reading_submitted_by"]
    assert "submission_id IS NOT NULL" in partial["reading_submission"]
    # billing_id still answers `=` from its unique index.
    assert any("UNIQUE" in d and "(billing_id)" in d for t, _n, d in ours if t == "billing_charge")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_vacuum_and_analyze_after_the_commit_on_two_connections():
    from lkk.core.bulk import vacuum_and_analyze

    assert connection.vendor == "postgresql", "run: make test-postgres"
    others = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    with connection.cursor() as cursor:
        cursor.execute(others)
        before = cursor.fetchone()[0]
    Group.objects.bulk_create(Group(name=f"group {n}") for n in range(50))
    vacuum_and_analyze([Group], [Reading])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL "
            "FROM pg_stat_user_tables WHERE relname IN ('auth_group', 'readings_reading') "
            "ORDER BY relname"
        )
        assert cursor.fetchall() == [("auth_group", True, True), ("readings_reading", False, True)]
        # The threads' connections are closed.
        cursor.execute(others)
        assert cursor.fetchone()[0] == before


@pytest.mark.postgres
@pytest.mark.django_db
def test_vacuum_and_analyze_inside_a_transaction_analyzes_here():
    from lkk.core.bulk import vacuum_and_analyze

    assert connection.vendor == "postgresql", "run: make test-postgres"
    with transaction.atomic():
        Group.objects.create(name="uncommitted")
        vacuum_and_analyze([Group], [])  # another connection would wait for this transaction
    assert Group.objects.filter(name="uncommitted").exists()
