"""Reads for a meter's reading history (M4): the list and the monthly consumption.

Both cost a fixed number of queries whatever the length of the history: a page of the list is
one query that also counts the readings (`readings_page`), the monthly consumption is one
GROUP BY query.

The page's two queries are written in SQL on PostgreSQL (issue 13): through the ORM, building
and compiling each cost ten times what PostgreSQL takes to answer it (~3 ms against ~0.3 ms),
a third of the page. They read the readings of one meter by its id, and that meter is one the
user may see (the view loads it through `get_object_for_user`): a meter's readings belong to its
contract and are visible with it (`access._stays_in_contract`), as `meter.readings.visible_to`
finds them. Other databases (SQLite: tests, development) take the ORM's queries, which give the
same rows: the tests run on both.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When, Window
from django.db.models.functions import TruncMonth

from lkk.customers.models import Meter
from lkk.readings.models import Reading

#: Months shown in the consumption chart, the current one included.
MONTHS = 24


def _zone_order(meter: Meter) -> Case:
    """Zones in the order of the meter's registers (Т1, Т2, Т3), then any other zone."""
    return Case(
        *(When(zone=zone, then=Value(i)) for i, zone in enumerate(meter.zones)),
        default=Value(len(meter.zones)),
        output_field=IntegerField(),
    )


def readings_for_meter(*, user, meter: Meter) -> QuerySet[Reading]:
    """The meter's readings, newest first; registers of one date in the meter's order."""
    return (
        meter.readings.visible_to(user)
        .alias(zone_order=_zone_order(meter))
        .order_by("-read_on", "zone_order", "zone", "-pk")
    )


#: What a row of the history table shows of a reading.
ROW_FIELDS = ("read_on", "zone", "value", "consumption", "source", "status", "rejection_reason")
#: A row of `readings_page`: ROW_FIELDS, then the count of all the meter's readings.
Row = namedtuple("Row", (*ROW_FIELDS, "total"))


def readings_page(*, user, meter: Meter, number: int | None, per_page: int) -> Page:
    """Page `number` of readings_for_meter as `Paginator.get_page` gives it (the first page for
    None, the last one for a number past the end), its rows as named tuples of ROW_FIELDS.

    `meter` is one the user may see (loaded through `get_object_for_user`). The rows and their
    count come in one query (`COUNT(*) OVER ()`): the page's query sorts all the meter's
    readings anyway to find its rows, so counting them there is free and spares the COUNT
    query. Only a page past the end (no rows, so no count) costs the paginator's usual COUNT
    and page queries after it.
    """
    number = number or 1
    bottom = (number - 1) * per_page
    rows: list[Row] = []
    if bottom < _LARGEST_OFFSET:  # past any end, and past what SQL's OFFSET takes
        if connection.vendor == "postgresql":
            rows = _page_sql(meter, bottom, per_page)
        else:
            rows = _page_orm(user, meter, bottom, per_page)
    if not rows and number > 1:
        readings = readings_for_meter(user=user, meter=meter)
        return Paginator(readings.values_list(*ROW_FIELDS, named=True), per_page).get_page(number)
    paginator = Paginator(rows, per_page)
    paginator.count = rows[0].total if rows else 0  # all the meter's readings, not the page's
    return Page(rows, number, paginator)


def _page_orm(user, meter: Meter, offset: int, limit: int) -> list[Row]:
    """readings_for_meter's rows `offset` to `offset + limit`, each with the count of all."""
    counted = readings_for_meter(user=user, meter=meter).annotate(total=Window(Count("pk")))
    return [Row(*row) for row in counted.values_list(*ROW_FIELDS, "total")[offset : offset + limit]]


def _page_sql(meter: Meter, offset: int, limit: int) -> list[Row]:
    """readings_for_meter's rows `offset` to `offset + limit` with their count, in SQL: the
    same order (date newest first, the meter's registers in order, then zone, newest id)."""
    zones = meter.zones
    order = " ".join("WHEN %s THEN " + str(i) for i in range(len(zones)))
    sql = f"""
        SELECT {", ".join(ROW_FIELDS)}, COUNT(*) OVER ()
        FROM {Reading._meta.db_table}
        WHERE meter_id = %s
        ORDER BY read_on DESC, CASE zone {order} ELSE {len(zones)} END, zone, id DESC
        LIMIT %s OFFSET %s
    """  # noqa: S608 — the table's name from the model, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [meter.pk, *zones, limit, offset])
        return [Row(*row) for row in cursor.fetchall()]


#: OFFSET is a bigint in PostgreSQL; a page number can be as large as any id.
_LARGEST_OFFSET = 2**62


def month_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of the month `back` months before the month of `day`."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MonthlyConsumption:
    """kWh per calendar month and zone, oldest month first.

    `totals[zone][i]` is the consumption of `months[i]`; None when the month has no reading with
    a consumption (no reading, only rejected ones, or only the first reading after a meter
    replacement, which has nothing to subtract).
    """

    months: list[dt.date]
    zones: list[str]
    totals: dict[str, list[Decimal | None]]

    @property
    def is_empty(self) -> bool:
        return all(v is None for values in self.totals.values() for v in values)

    def rows(self) -> list[tuple[dt.date, list[Decimal | None]]]:
        """(month, [consumption of each zone in `zones` order]) — for a table."""
        return [
            (month, [self.totals[zone][i] for zone in self.zones])
            for i, month in enumerate(self.months)
        ]


def monthly_consumption(
    *, user, meter: Meter, today: dt.date, months: int = MONTHS
) -> MonthlyConsumption:
    """The meter's consumption summed by month and zone over the last `months` months: 1 query.

    A reading's stored consumption is what was used since the previous reading; it counts in the
    month of its date. Rejected readings do not count. `meter` is one the user may see.
    """
    first = month_start(today, months - 1)
    after_last = month_start(today, -1)
    month_list = [month_start(today, back) for back in range(months - 1, -1, -1)]
    position = {month: i for i, month in enumerate(month_list)}
    if connection.vendor == "postgresql":
        rows = _monthly_sql(meter, first, after_last)
    else:
        rows = _monthly_orm(user, meter, first, after_last)
    zones = list(meter.zones)
    totals: dict[str, list[Decimal | None]] = {zone: [None] * months for zone in zones}
    for month, zone, total in rows:
        if isinstance(month, dt.datetime):  # a backend that truncates to a timestamp
            month = month.date()
        if zone not in totals:  # a zone of an earlier tariff
            zones.append(zone)
            totals[zone] = [None] * months
        totals[zone][position[month]] = total
    return MonthlyConsumption(months=month_list, zones=zones, totals=totals)


def _monthly_orm(user, meter: Meter, first: dt.date, after_last: dt.date) -> list[tuple]:
    """(month, zone, kWh): the meter's readings from `first` to before `after_last` that have a
    consumption and were not rejected, summed by month and zone."""
    return list(
        meter.readings.visible_to(user)
        .filter(read_on__gte=first, read_on__lt=after_last, consumption__isnull=False)
        .exclude(status=Reading.Status.REJECTED)
        .annotate(month=TruncMonth("read_on"))
        .values("month", "zone")
        .annotate(total=Sum("consumption"))
        .order_by("month", "zone")
        .values_list("month", "zone", "total")
    )


def _monthly_sql(meter: Meter, first: dt.date, after_last: dt.date) -> list[tuple]:
    """_monthly_orm's rows in SQL."""
    sql = f"""
        SELECT date_trunc('month', read_on::timestamp)::date, zone, SUM(consumption)
        FROM {Reading._meta.db_table}
        WHERE meter_id = %s AND read_on >= %s AND read_on < %s
          AND consumption IS NOT NULL AND status <> %s
        GROUP BY 1, 2
        ORDER BY 1, 2
    """  # noqa: S608 — the table's name from the model, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [meter.pk, first, after_last, Reading.Status.REJECTED.value])
        return cursor.fetchall()
