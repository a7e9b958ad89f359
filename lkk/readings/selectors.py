"""Reads for readings: what the rules need to know, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import F, Func, JSONField, QuerySet, Window
from django.db.models.functions import RowNumber

from lkk.core.lists import in_ids
from lkk.customers.access import scopes_disabled
from lkk.customers.models import ZONES_BY_TARIFF, Meter
from lkk.readings.models import Reading, Submission
from lkk.readings.rules import PastReading, ZoneHistory

#: Readings per metering point and zone read for the rules: the previous one and enough of this
#: meter's history to know its usual monthly consumption.
HISTORY_DEPTH = 7
#: Points from which the history is ranked by a window in SQL rather than in Python.
WINDOW_FROM = 100


def zone_histories(*, meters: list[Meter], today: dt.date) -> dict[tuple[int, str], ZoneHistory]:
    """(meter id, zone) → its history, for any number of meters, in one query.

    The previous reading is looked for at the metering point, not only on the meter: when the
    point's last reading was taken on a meter since replaced, the rules must know it.

    `meters` come from visible querysets (every caller loads them through `visible_to`), and the
    readings at their points belong to the same contracts: hence `scopes_disabled` below, which
    lets the rules judge a meter without being handed the user.
    """
    return _histories(
        [(meter.pk, meter.metering_point_id, meter.counterparty_id) for meter in meters], today
    )


def _histories(
    meters: list[tuple[int, int, int]], today: dt.date
) -> dict[tuple[int, str], ZoneHistory]:
    """zone_histories of (meter id, point id, counterparty id) triples."""
    histories: dict[tuple[int, str], ZoneHistory] = defaultdict(ZoneHistory)
    if not meters:
        return histories
    point_meters: dict[int, list[int]] = defaultdict(list)
    for meter_id, point_id, _counterparty_id in meters:
        point_meters[point_id].append(meter_id)
    # A point's meters all have the point's counterparty: naming it lets PostgreSQL find the
    # meters by the counterparty's index instead of reading every customer's meters.
    counterparties = sorted({counterparty_id for _meter, _point, counterparty_id in meters})
    readings = (
        Reading.objects.filter(
            in_ids("meter__metering_point_id", point_meters),
            meter__counterparty_id__in=counterparties,
            read_on__lte=today,
        )
        .exclude(status=Reading.Status.REJECTED)
        .annotate(point_id=F("meter__metering_point_id"))
    )
    if len(point_meters) > WINDOW_FROM:
        # Many points (a file): the database keeps the newest few per point and zone.
        readings = readings.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("meter__metering_point_id"), F("zone")],
                order_by=F("read_on").desc(),
            ),
        ).filter(rank__lte=HISTORY_DEPTH + 1)
    readings = readings.order_by("point_id", "zone", "-read_on").values_list(
        "point_id", "meter_id", "zone", "value", "read_on"
    )
    with scopes_disabled():
        rows = list(readings)
    if len(point_meters) <= WINDOW_FROM:
        # A form's few points: their whole history is short, and a plain query is much
        # cheaper to build than the window's; the newest few are kept here, as above.
        rows = _newest_per_zone(rows)
    for point_id, meter_id, zone, value, read_on in rows:
        past = PastReading(value=value, read_on=read_on, meter_id=meter_id)
        for current in point_meters[point_id]:
            history = histories[(current, zone)]
            if read_on == today:
                if meter_id == current:
                    history.today = past
                continue
            if history.previous is None:
                history.previous = past
            if meter_id == current and len(history.same_meter) < HISTORY_DEPTH:
                history.same_meter.append(past)
    return histories


#: (tariff, zone) pairs of ZONES_BY_TARIFF, as a VALUES list for SQL.
_TARIFF_ZONES = ", ".join(
    f"({tariff}, '{zone}')" for tariff, zones in ZONES_BY_TARIFF.items() for zone in zones
)


def previous_readings(
    *, meters: list[tuple[int, int, int, int]], today: dt.date
) -> dict[tuple[int, str], PastReading]:
    """(meter id, zone) → the point's last reading in the zone before today (the `previous` of
    zone_histories), for each of the meters' zones; meters as (id, point id, counterparty id,
    tariff zones) tuples from visible querysets, as for zone_histories.

    What the XLSX template shows beside each meter. On PostgreSQL one probe of the readings'
    (meter, zone, date) index per meter at the point and zone, newest first, instead of reading
    and ranking the whole history of every point (3,000 meters: a fifth of the time).
    """
    if not meters:
        return {}
    if connection.vendor != "postgresql":
        histories = _histories([m[:3] for m in meters], today)
        return {
            (meter_id, zone): history.previous
            for meter_id, *_rest, tariff in meters
            for zone in ZONES_BY_TARIFF[tariff]
            if (history := histories.get((meter_id, zone))) and history.previous is not None
        }
    meter, reading = Meter._meta.db_table, Reading._meta.db_table
    sql = f"""
        SELECT cur.id, tz.zone, r.meter_id, r.value, r.read_on
        FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS cur(id, point_id, tariff)
        JOIN (VALUES {_TARIFF_ZONES}) AS tz(tariff, zone) ON tz.tariff = cur.tariff
        JOIN {meter} m ON m.metering_point_id = cur.point_id AND m.counterparty_id = ANY(%s)
        CROSS JOIN LATERAL (
            SELECT meter_id, value, read_on FROM {reading}
            WHERE meter_id = m.id AND zone = tz.zone AND read_on < %s AND status <> %s
            ORDER BY read_on DESC LIMIT 1
        ) AS r
    """  # noqa: S608 — table names from the models, values as parameters
    params = [
        [m[0] for m in meters],
        [m[1] for m in meters],
        [m[3] for m in meters],
        sorted({m[2] for m in meters}),
        today,
        Reading.Status.REJECTED.value,
    ]
    found: dict[tuple[int, str], PastReading] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for meter_id, zone, reading_meter, value, read_on in cursor.fetchall():
            known = found.get((meter_id, zone))
            if known is None or read_on > known.read_on:
                found[(meter_id, zone)] = PastReading(
                    value=value, read_on=read_on, meter_id=reading_meter
                )
    return found


def form_histories(*, meters: list[Meter], today: dt.date) -> dict[tuple[int, str], ZoneHistory]:
    """What the form shows under each input: (meter id, zone) → a ZoneHistory holding only
    `previous` (the point's last reading in the zone before today) and `today` (this meter's
    reading of today), as zone_histories finds them; `same_meter`, the rules' depth, is read by
    the service when the form is sent. The meters' tariff zones only.

    Meters loaded `with_form_histories` brought them along; else, on PostgreSQL, one query asks
    the same (`_FormHistories`' index probes), instead of loading and ranking every reading of
    the points (a third of the page's time). `meters` come from visible querysets, as for
    zone_histories (hence `scopes_disabled`).
    """
    if meters and all(hasattr(meter, _ALONG) for meter in meters):
        found = {meter.pk: getattr(meter, _ALONG) for meter in meters}
    elif connection.vendor != "postgresql":
        return zone_histories(meters=meters, today=today)
    elif not meters:
        return defaultdict(ZoneHistory)
    else:
        asked = Meter.objects.filter(in_ids("pk", [meter.pk for meter in meters]))
        with scopes_disabled():
            found = dict(with_form_histories(asked, today).values_list("pk", _ALONG))
    histories: dict[tuple[int, str], ZoneHistory] = defaultdict(ZoneHistory)
    for meter_id, rows in found.items():
        for zone, reading_meter, value, read_on in rows or ():
            history = histories[(meter_id, zone)]
            past = PastReading(Decimal(value), dt.date.fromisoformat(read_on), reading_meter)
            if past.read_on == today:
                history.today = past
            elif history.previous is None or past.read_on > history.previous.read_on:
                # One row per meter the point has had: its newest is the point's.
                history.previous = past
    return histories


#: The attribute `with_form_histories` gives each meter.
_ALONG = "lkk_form_histories"


class _FormHistories(Func):
    """A meter's `form_histories` rows as one JSON array of [zone, meter id, value, date]
    (PostgreSQL): per zone of its tariff, each meter of its point (the point's meters have its
    counterparty) probes the readings' (meter, zone, date) index for its last reading before
    today; and the meter's readings of today. A subquery of the meter's row: the page's meters
    and their readings in one statement, which a list keeps (lkk.core.lists.kept_models).

    PostgreSQL evaluates it after the sort and LIMIT of the page (an expensive column is
    postponed past them), for the page's meters only."""

    output_field = JSONField()
    _SQL = f"""(SELECT jsonb_agg(jsonb_build_array(h.zone, h.meter_id, h.value::text, h.read_on))
        FROM (
            SELECT tz.zone, r.meter_id, r.value, r.read_on
            FROM (VALUES {_TARIFF_ZONES}) AS tz(tariff, zone)
            JOIN {Meter._meta.db_table} m
                ON m.metering_point_id = %(point)s AND m.counterparty_id = %(counterparty)s
            CROSS JOIN LATERAL (
                SELECT meter_id, value, read_on FROM {Reading._meta.db_table}
                WHERE meter_id = m.id AND zone = tz.zone AND read_on < %%s AND status <> %%s
                ORDER BY read_on DESC LIMIT 1
            ) AS r
            WHERE tz.tariff = %(tariff)s
            UNION ALL
            SELECT zone, meter_id, value, read_on FROM {Reading._meta.db_table}
            WHERE meter_id = %(id)s AND read_on = %%s AND status <> %%s
        ) AS h)"""  # noqa: S608 — table names from the models, values as parameters

    def __init__(self, today: dt.date) -> None:
        super().__init__(F("id"), F("metering_point_id"), F("counterparty_id"), F("tariff_zones"))
        self.today = today

    def as_sql(self, compiler, connection, **extra):
        columns = {}
        for name, expression in zip(
            ("id", "point", "counterparty", "tariff"), self.get_source_expressions(), strict=True
        ):
            sql, params = compiler.compile(expression)
            if params:  # a column: no parameter
                raise ValueError(params)
            columns[name] = sql
        rejected = Reading.Status.REJECTED.value
        return self._SQL % columns, (self.today, rejected, self.today, rejected)


def with_form_histories(meters: QuerySet[Meter], today: dt.date) -> QuerySet[Meter]:
    """`meters`, each bringing what `form_histories` finds for it (on PostgreSQL; elsewhere
    form_histories asks after). `today` is in the statement: a kept one's key must hold it."""
    if connection.vendor != "postgresql":
        return meters
    return meters.annotate(**{_ALONG: _FormHistories(today)})


def _newest_per_zone(rows: list[tuple]) -> list[tuple]:
    """The first HISTORY_DEPTH + 1 rows of each (point, zone), rows ordered by them, newest
    first: what ROW_NUMBER() ≤ HISTORY_DEPTH + 1 keeps."""
    kept, key, count = [], None, 0
    for row in rows:
        if row[0:3:2] != key:
            key, count = row[0:3:2], 0
        count += 1
        if count <= HISTORY_DEPTH + 1:
            kept.append(row)
    return kept


def submissions_for_user(*, user) -> QuerySet[Submission]:
    return Submission.objects.visible_to(user).select_related("counterparty")
