"""Reads of the customer side. Every query starts from `visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from lkk.customers.models import Contract, Counterparty, Meter, MeteringPoint
from lkk.readings.models import Reading

#: How many meters «Главная» shows readings for; the rest are one click away.
HOME_METERS = 10


@dataclass(frozen=True)
class MeterLastReadings:
    meter: Meter
    readings: list[Reading]


def counterparties_for_user(*, user) -> QuerySet[Counterparty]:
    return Counterparty.objects.visible_to(user)


def active_contracts_for_user(*, user) -> QuerySet[Contract]:
    return (
        Contract.objects.visible_to(user)
        .filter(status=Contract.Status.ACTIVE)
        .select_related("counterparty")
    )


def contract_summary(*, contract: Contract) -> dict[str, int]:
    """Counts shown on a contract card, in one query."""
    return Contract.objects.filter(pk=contract.pk).aggregate(
        points=Count("metering_points", distinct=True),
        meters=Count(
            "metering_points__meters",
            filter=Q(metering_points__meters__removed_on__isnull=True),
            distinct=True,
        ),
    )


def last_readings_for_contract(*, contract: Contract, limit: int = HOME_METERS):
    """The latest reading (every zone) of the first meters of a contract: two queries in all."""
    latest = Reading.objects.filter(meter=OuterRef("pk")).order_by("-read_on").values("read_on")[:1]
    meters = list(
        Meter.objects.filter(metering_point__contract=contract, removed_on__isnull=True)
        .select_related("metering_point")
        .annotate(last_read_on=Subquery(latest))
        .order_by("metering_point__code")[:limit]
    )
    pairs = Q()
    for meter in meters:
        if meter.last_read_on:
            pairs |= Q(meter=meter, read_on=meter.last_read_on)
    by_meter: dict[int, list[Reading]] = {m.pk: [] for m in meters}
    if pairs:
        for reading in Reading.objects.filter(pairs).order_by("zone"):
            by_meter[reading.meter_id].append(reading)
    return [MeterLastReadings(meter=m, readings=by_meter[m.pk]) for m in meters]


def points_for_user(*, user) -> QuerySet[MeteringPoint]:
    return MeteringPoint.objects.visible_to(user).select_related("contract", "consumption_object")


def meters_for_user(*, user) -> QuerySet[Meter]:
    return Meter.objects.visible_to(user).select_related("metering_point__contract")
