"""Reads of the customer side. Every query starts from `visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from lkk.accounts.models import RegistrationRequest
from lkk.customers.models import ConsumptionObject, Contract, Counterparty, Meter, MeteringPoint
from lkk.readings.models import Reading

#: How many meters «Главная» shows readings for; the rest are one click away.
HOME_METERS = 10


@dataclass(frozen=True)
class MeterLastReadings:
    meter: Meter
    readings: list[Reading]


def counterparties_for_user(*, user) -> QuerySet[Counterparty]:
    return Counterparty.objects.visible_to(user)


def _visible_count(children: QuerySet, parent_field: str) -> Coalesce:
    """How many of the (visible) `children` each row has, as a subquery.

    Not `Count("contracts")`: a join counts the rows the user may not see (the contracts of a
    counterparty he was granted only some contracts of), and the isolation guard refuses it.
    """
    counted = (
        children.filter(**{parent_field: OuterRef("pk")})
        .order_by()
        .values(parent_field)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted), 0)


def counterparties_with_contract_counts(*, user) -> QuerySet[Counterparty]:
    """The user's counterparties, each with the number of its contracts the user may see."""
    return counterparties_for_user(user=user).annotate(
        contract_count=_visible_count(Contract.objects.visible_to(user), "counterparty")
    )


def active_contracts_for_user(*, user) -> QuerySet[Contract]:
    return (
        Contract.objects.visible_to(user)
        .filter(status=Contract.Status.ACTIVE)
        .select_related("counterparty")
    )


def contract_summary(*, user, contract: Contract) -> dict[str, int]:
    """Counts shown on a contract card, in one query."""
    return (
        Contract.objects.visible_to(user)
        .filter(pk=contract.pk)
        .aggregate(
            points=Count("metering_points", distinct=True),
            meters=Count(
                "metering_points__meters",
                filter=Q(metering_points__meters__removed_on__isnull=True),
                distinct=True,
            ),
        )
    )


def objects_of_contract(*, user, contract: Contract) -> QuerySet[ConsumptionObject]:
    """The contract's objects by name, each with the number of its points the user may see."""
    return (
        contract.objects_supplied.visible_to(user)
        .annotate(
            point_count=_visible_count(MeteringPoint.objects.visible_to(user), "consumption_object")
        )
        .order_by("name")
    )


def last_readings_for_contract(*, user, contract: Contract, limit: int = HOME_METERS):
    """The latest reading (every zone) of the first meters of a contract: two queries in all."""
    readings = Reading.objects.visible_to(user)
    latest = readings.filter(meter=OuterRef("pk")).order_by("-read_on").values("read_on")[:1]
    meters = list(
        Meter.objects.visible_to(user)
        .filter(metering_point__contract=contract, removed_on__isnull=True)
        .select_related("metering_point")
        .only("serial_number", "is_automatic", "decimal_places", "metering_point__code")
        .annotate(last_read_on=Subquery(latest))
        .order_by("metering_point__code")[:limit]
    )
    last = {m.pk: m.last_read_on for m in meters if m.last_read_on}
    by_meter: dict[int, list[Reading]] = {m.pk: [] for m in meters}
    if last:
        # The meters' readings of any of their last days (a handful more rows than needed at
        # most), kept when the day is the meter's own: simpler SQL than one pair per meter.
        page = readings.filter(meter_id__in=list(last), read_on__in=set(last.values()))
        for reading in page.only("meter_id", "zone", "value", "read_on").order_by("zone"):
            if reading.read_on == last[reading.meter_id]:
                by_meter[reading.meter_id].append(reading)
    return [MeterLastReadings(meter=m, readings=by_meter[m.pk]) for m in meters]


def points_for_user(*, user) -> QuerySet[MeteringPoint]:
    return MeteringPoint.objects.visible_to(user).select_related("contract")


def meters_for_user(*, user) -> QuerySet[Meter]:
    return Meter.objects.visible_to(user).select_related("metering_point__contract")


def pending_requests_for_user(*, user) -> list:
    """The user's requests for access waiting for an operator (A9 binding under review)."""
    return list(
        RegistrationRequest.objects.filter(user_id=user.pk, state=RegistrationRequest.State.PENDING)
        .select_related("counterparty")
        .order_by("-pk")[:5]
    )
