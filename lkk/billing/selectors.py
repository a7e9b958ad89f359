"""Reads of the money of a contract (B1) and of documents (B2): every row through visible_to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from lkk.billing.models import Charge, ChargeLine, Document, Payment, Zone
from lkk.core.params import param_date

ZERO = Decimal("0")
DEFAULT_MONTHS = 12
CHART_MONTHS = 24


def month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return month_start(day, -1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Months from `start` to `end` inclusive (both first days of a month)."""

    start: dt.date
    end: dt.date

    @property
    def last_day(self) -> dt.date:
        return month_end(self.end)

    @classmethod
    def from_params(cls, params, today: dt.date | None = None) -> Period:
        """`?from=yyyy-mm-dd&to=yyyy-mm-dd` by month; a missing or bad date: the last 12
        months; reversed dates are swapped."""
        today = today or timezone.localdate()
        start, end = param_date(params, "from"), param_date(params, "to")
        end = month_start(end) if end else month_start(today)
        start = month_start(start) if start else month_start(end, DEFAULT_MONTHS - 1)
        if start > end:
            start, end = end, start
        return cls(start, end)


@dataclass
class Totals:
    kwh: Decimal = ZERO
    amount: Decimal = ZERO
    vat: Decimal = ZERO
    zones: dict[str, Decimal] = field(default_factory=dict)


def charges_of(user, contract_ids, period: Period) -> QuerySet:
    """The charges of the contracts in the period, newest first, with their zone lines."""
    lines = ChargeLine.objects.visible_to(user).order_by("id")
    return (
        Charge.objects.visible_to(user)
        .filter(contract_id__in=contract_ids, period__gte=period.start, period__lte=period.end)
        .select_related("contract")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-period", "contract__number")
    )


def payments_of(user, contract_ids, period: Period) -> QuerySet:
    return (
        Payment.objects.visible_to(user)
        .filter(
            contract_id__in=contract_ids,
            paid_on__gte=period.start,
            paid_on__lte=period.last_day,
        )
        .select_related("contract")
        .order_by("-paid_on", "-pk")
    )


def charge_rows(charges) -> tuple[list[dict], list[str], Totals]:
    """Rows for a table of charges: kWh per zone, amount, VAT; the zones present; the totals
    (Decimal sums of the rows' own values)."""
    rows, zones, totals = [], [], Totals()
    for charge in charges:
        lines = list(charge.lines.all())
        by_zone = {line.zone: line.kwh for line in lines}
        vat = sum((line.vat_amount for line in lines), ZERO)
        for zone in by_zone:
            if zone not in zones:
                zones.append(zone)
            totals.zones[zone] = totals.zones.get(zone, ZERO) + by_zone[zone]
        rows.append({"charge": charge, "zones": by_zone, "vat": vat, "has_lines": bool(lines)})
        totals.kwh += charge.kwh
        totals.amount += charge.amount
        totals.vat += vat
    order = list(Zone.values)
    zones.sort(key=order.index)
    for row in rows:
        row["zone_values"] = [row["zones"].get(zone) for zone in zones]
    return rows, zones, totals


def zone_labels(zones: list[str]) -> list[str]:
    labels = dict(Zone.choices)
    return [str(labels[zone]) for zone in zones]


def chart_of(user, contract, today: dt.date | None = None) -> dict:
    """The last 24 months of a contract: kWh by zone (stacked) and the amounts charged."""
    today = today or timezone.localdate()
    start = month_start(today, CHART_MONTHS - 1)
    months = [month_start(today, back) for back in range(CHART_MONTHS - 1, -1, -1)]
    lines = (
        ChargeLine.objects.visible_to(user)
        .filter(charge__contract=contract, charge__period__gte=start)
        .values_list("charge__period", "zone")
        .annotate(kwh=Sum("kwh"))
        .order_by()
    )
    by_zone: dict[str, dict[dt.date, Decimal]] = {}
    for period, zone, kwh in lines:
        by_zone.setdefault(zone, {})[period] = kwh
    amounts = dict(
        Charge.objects.visible_to(user)
        .filter(contract=contract, period__gte=start)
        .values_list("period", "amount")
    )
    labels = [f"{m:%m.%Y}" for m in months]
    order = list(Zone.values)
    zones = sorted(by_zone, key=order.index)
    names = dict(Zone.choices)
    consumption = {
        "type": "bar",
        "unit": "кВт·ч",
        "labels": labels,
        "datasets": [
            {"label": str(names[z]), "data": [str(by_zone[z].get(m, 0)) for m in months]}
            for z in zones
        ],
    }
    money = {
        "type": "bar",
        "unit": "₽",
        "labels": labels,
        "datasets": [{"label": "Начислено", "data": [str(amounts.get(m, 0)) for m in months]}],
    }
    return {"consumption": consumption, "money": money}


def document_queryset(user) -> QuerySet:
    return Document.objects.visible_to(user)


def charge_of_document(user, document: Document) -> Charge | None:
    """The charge a document bills (its contract and period), with its lines, if any."""
    if document.period is None:
        return None
    return (
        Charge.objects.visible_to(user)
        .filter(contract_id=document.contract_id, period=document.period)
        .prefetch_related(Prefetch("lines", queryset=ChargeLine.objects.visible_to(user)))
        .first()
    )


def charge_lines_mismatch(queryset: QuerySet | None = None) -> list[int]:
    """Ids of charges that have lines which do not add up to the charge's kWh and amount
    (billing's invariant, see ChargeLine), summed as Decimal (SQLite sums decimals as floats).
    For back-office checks and tests: the caller scopes the queryset."""
    qs = queryset if queryset is not None else Charge.objects.all()
    sums: dict[int, list[Decimal]] = {}
    lines = ChargeLine.objects.filter(charge__in=qs.values("pk")).values_list(
        "charge_id", "kwh", "amount"
    )
    for charge_id, kwh, amount in lines.order_by():
        total = sums.setdefault(charge_id, [ZERO, ZERO])
        total[0] += kwh
        total[1] += amount
    return sorted(
        pk
        for pk, kwh, amount in qs.filter(pk__in=list(sums)).values_list("pk", "kwh", "amount")
        if sums[pk] != [kwh, amount]
    )
