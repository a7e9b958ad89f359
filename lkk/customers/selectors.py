"""Reads of the customer side. Every query starts from `visible_to(user)`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Window,
)
from django.db.models.functions import Coalesce

from lkk.accounts.models import RegistrationRequest
from lkk.core.lists import kept_values, scope_key
from lkk.customers.access import access_scope
from lkk.customers.models import (
    ConsumptionObject,
    Contract,
    Counterparty,
    Meter,
    MeteringPoint,
    Zone,
)
from lkk.readings.models import Reading

#: How many meters «Главная» shows readings for; the rest are one click away.
HOME_METERS = 10


class LastReading(NamedTuple):
    zone: str
    value: Decimal
    read_on: dt.date


@dataclass(frozen=True)
class MeterLastReadings:
    """A meter on «Главная»'s card, with the readings (every zone) of its last day."""

    pk: int
    point_code: str
    serial_number: str
    is_automatic: bool
    decimal_places: int
    readings: list[LastReading]


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
    return Contract.objects.visible_to(user).filter(status=Contract.Status.ACTIVE)


def counterparty_names(*, user, contracts: Iterable) -> dict[int, str]:
    """The short names of the `contracts`' counterparties (rows with pk and counterparty_id), by
    id: they come with the user's grants (`access_scope`), read once a request anyway. A contract
    granted apart from its own counterparty (the schema does not refuse it) has its name read
    through the contracts."""
    names = {pk: name for pk, name, _kind in access_scope(user).all_counterparties}
    missing = [contract.pk for contract in contracts if contract.counterparty_id not in names]
    if missing:
        found = Contract.objects.visible_to(user).filter(pk__in=missing)
        names.update(found.values_list("counterparty_id", "counterparty__short_name"))
    return names


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


class _JsonbArray(Func):
    """`JSONB_BUILD_ARRAY(…)` (PostgreSQL), as text: one reading of «Главная»'s card."""

    function = "JSONB_BUILD_ARRAY"
    output_field = TextField()


def contract_card(
    *, user, contract: Contract, limit: int = HOME_METERS
) -> tuple[dict[str, int], list[MeterLastReadings]]:
    """«Главная»'s card of a contract: its counts (as `contract_summary`) and the latest reading
    (every zone) of its first meters — one query on PostgreSQL, two elsewhere.

    The meters' count is a window count over the meters' own rows and the points' a subquery of
    the same query; only a contract without a meter in service asks for its points' count apart.
    """
    postgres = connection.vendor == "postgresql"
    # Its statement is kept (lkk.core.lists.kept_values): it depends on the grants and the
    # contract alone, and is built and compiled the first time only.
    key = ("customers:contract_card", *scope_key(user), contract.pk, limit)
    found = kept_values(key, lambda: _card_query(user, contract, postgres)[:limit])
    if not found:
        points = MeteringPoint.objects.visible_to(user).filter(contract=contract)
        return {"points": points.count(), "meters": 0}, []
    summary = {"points": found[0][6], "meters": found[0][5]}
    if postgres:
        by_meter = {row[0]: _last_day(row[7]) for row in found}
    else:
        readings = Reading.objects.visible_to(user)
        by_meter = _last_days(readings, {row[0]: row[7] for row in found if row[7]})
    return summary, [
        MeterLastReadings(
            pk=pk, point_code=code, serial_number=serial, is_automatic=automatic,
            decimal_places=places, readings=by_meter.get(pk, []),
        )
        for pk, code, serial, automatic, places, *_counts in found
    ]  # fmt: skip


def _card_query(user, contract: Contract, postgres: bool) -> QuerySet:
    """The card's meters with the counts and their last readings (see contract_card)."""
    readings = Reading.objects.visible_to(user)
    points = MeteringPoint.objects.visible_to(user).filter(contract=contract)
    count = Func(F("pk"), function="COUNT", output_field=IntegerField())
    meters = (
        Meter.objects.visible_to(user)
        .filter(metering_point__contract=contract, removed_on__isnull=True)
        .annotate(
            meter_count=Window(Count("*")),
            # COUNT(id) as a plain function: one row, no GROUP BY (which Django adds for an
            # aggregate it knows), a simpler subquery to build.
            point_count=Subquery(points.order_by().annotate(n=count).values("n")),
        )
        .order_by("metering_point__code")
    )
    if postgres:
        # The meter's readings newest first: a day holds one a zone at most, so the first
        # len(Zone) hold every zone of its last day.
        newest = (
            readings.filter(meter=OuterRef("pk"))
            .order_by("-read_on", "zone")
            .values(reading=_JsonbArray("read_on", "zone", "value"))
        )
        meters = meters.annotate(last=ArraySubquery(newest[: len(Zone)]))
    else:
        latest = readings.filter(meter=OuterRef("pk")).order_by("-read_on").values("read_on")[:1]
        meters = meters.annotate(last=Subquery(latest))
    return meters.values_list(
        "pk", "metering_point__code", "serial_number", "is_automatic", "decimal_places",
        "meter_count", "point_count", "last",
    )  # fmt: skip


def _last_day(newest: list[str]) -> list[LastReading]:
    """The readings (newest first, each `["2026-10-25", "day", 1234.5000]`) of their first day;
    the values read as Decimal, as the column gives them (not float)."""
    rows = [json.loads(text, parse_float=Decimal, parse_int=Decimal) for text in newest]
    if not rows:
        return []
    day = rows[0][0]
    read_on = dt.date.fromisoformat(day)
    return [LastReading(zone=zone, value=value, read_on=read_on) for on, zone, value in rows
            if on == day]  # fmt: skip


def _last_days(readings: QuerySet[Reading], last: dict[int, dt.date]) -> dict[int, list]:
    """Each meter's readings of its `last` day, by zone."""
    by_meter: dict[int, list[LastReading]] = {pk: [] for pk in last}
    if last:
        # The meters' readings of any of their last days (a handful more rows than needed at
        # most), kept when the day is the meter's own: simpler SQL than one pair per meter.
        page = readings.filter(meter_id__in=list(last), read_on__in=set(last.values()))
        rows = page.order_by("zone").values_list("meter_id", "zone", "value", "read_on")
        for meter_id, zone, value, read_on in rows:
            if read_on == last[meter_id]:
                by_meter[meter_id].append(LastReading(zone=zone, value=value, read_on=read_on))
    return by_meter


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
