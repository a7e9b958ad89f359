"""Reads for readings: what the rules need to know, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from lkk.customers.access import scopes_disabled
from lkk.customers.models import Meter
from lkk.readings.models import Reading, Submission
from lkk.readings.rules import PastReading, ZoneHistory

#: Readings per metering point and zone read for the rules: the previous one and enough of this
#: meter's history to know its usual monthly consumption.
HISTORY_DEPTH = 7


def zone_histories(*, meters: list[Meter], today: dt.date) -> dict[tuple[int, str], ZoneHistory]:
    """(meter id, zone) → its history, for any number of meters, in one query.

    The previous reading is looked for at the metering point, not only on the meter: when the
    point's last reading was taken on a meter since replaced, the rules must know it.

    `meters` come from visible querysets (every caller loads them through `visible_to`), and the
    readings at their points belong to the same contracts: hence `scopes_disabled` below, which
    lets the rules judge a meter without being handed the user.
    """
    histories: dict[tuple[int, str], ZoneHistory] = defaultdict(ZoneHistory)
    if not meters:
        return histories
    point_meters: dict[int, list[int]] = defaultdict(list)
    for meter in meters:
        point_meters[meter.metering_point_id].append(meter.pk)
    rows = (
        Reading.objects.filter(meter__metering_point_id__in=list(point_meters), read_on__lte=today)
        .exclude(status=Reading.Status.REJECTED)
        .annotate(
            point_id=F("meter__metering_point_id"),
            rank=Window(
                RowNumber(),
                partition_by=[F("meter__metering_point_id"), F("zone")],
                order_by=F("read_on").desc(),
            ),
        )
        .filter(rank__lte=HISTORY_DEPTH + 1)
        .order_by("point_id", "zone", "-read_on")
        .values_list("point_id", "meter_id", "zone", "value", "read_on")
    )
    with scopes_disabled():
        rows = list(rows)
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


def submissions_for_user(*, user) -> QuerySet[Submission]:
    return Submission.objects.visible_to(user).select_related("counterparty")
