"""Bulk loading: COPY in one stream, indexes after the load, rows made ahead by a thread."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from lkk.core.bulk import indexes_after_load, insert_rows, made_ahead
from lkk.readings.models import Reading


def test_made_ahead_keeps_the_rows_and_their_order():
    assert list(made_ahead(iter(range(12345)), chunk=100, ahead=3)) == list(range(12345))
    assert list(made_ahead(iter([]))) == []


def test_made_ahead_raises_the_producers_error():
    def rows():
        yield 1
        raise ValueError("broken row")

    with pytest.raises(ValueError, match="broken row"):
        list(made_ahead(rows(), chunk=1))


def test_made_ahead_stops_when_its_consumer_stops():
    rows = made_ahead(iter(range(10**6)), chunk=10, ahead=2)
    assert next(rows) == 0
    rows.close()  # the producer gives up instead of waiting for room forever


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
    with transaction.atomic(), indexes_after_load(Reading):
        assert _schema(table) != before  # loading without them
        insert_rows(Reading, columns, [row])
    assert _schema(table) == before
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
