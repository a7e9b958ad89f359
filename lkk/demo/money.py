"""Demo money: the zone lines of every demo charge and the tariff components (B1, R3).

The seed (lkk/demo/seed.py) makes them with the charges it adds, from the same numbers, so a
second run adds nothing; a database seeded before lines existed got them from the migration
(lkk/billing/migrations/0003), with the same billing ids.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import TextIO

from django.db.models import Max

from lkk.billing.models import Charge, ChargeLine, TariffComponent
from lkk.core.bulk import analyze, indexes_after_load, insert_rows
from lkk.core.progress import Progress

VAT_RATE = Decimal("20")
KOPECK = Decimal("0.01")
PRICE_PLACES = Decimal("0.00001")
#: Months back from the latest charge for which tariff components are supplied.
COMPONENT_MONTHS = 12
#: Shares of a contract's charge by zone, by the number of its tariff zones.
ZONE_SPLITS = {
    1: (("total", 100),),
    2: (("day", 70), ("night", 30)),
    3: (("peak", 30), ("half_peak", 45), ("night", 25)),
}
#: Shares of the price without VAT by component, in per cent (infrastructure takes the rest).
COMPONENT_SHARES = (("generation", 52), ("transmission", 40), ("sales_markup", 7))
LINE_COLUMNS = ("billing_id", "charge_id", "zone", "kwh", "price", "amount",
                "vat_rate", "vat_amount")  # fmt: skip
COMPONENT_COLUMNS = ("billing_id", "contract_id", "period", "kind", "price")


def line_billing_id(charge_billing_id: str, zone: str) -> str:
    """Billing's ID of a demo charge line (the migration gives existing lines the same)."""
    return f"{charge_billing_id}-{zone}"


def component_billing_id(contract_billing_id: str, period: dt.date, kind: str) -> str:
    """Billing's ID of a demo tariff component (the migration gives existing ones the same)."""
    return _component_id(contract_billing_id, f"{period:%Y%m}", kind)


def _component_id(contract_billing_id: str, month: str, kind: str) -> str:
    return f"TC-{contract_billing_id}-{month}-{kind}"


def zones_of(contract_id: int, kind: str) -> int:
    """How many tariff zones the demo bills a contract by (stable for the contract)."""
    return 1 + contract_id % 2 if kind == "fl" else 1 + contract_id % 3


def _half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator (both ≥ 0) rounded half to even, as Decimal's quantize."""
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        quotient += 1
    return quotient


def split_charge_units(kwh: int, amount: int, zones: int) -> list[tuple[str, int, int, int, int]]:
    """`split_charge` in integers: kWh in thousandths, money in kopecks, the price in 1e-5 ₽.

    The same numbers as Decimal arithmetic gives (lkk/billing/tests/test_finance.py compares
    them on thousands of charges), several times faster: the seed splits half a million charges.
    Returns (zone, kWh, price without VAT, amount, VAT) per zone.
    """
    splits = ZONE_SPLITS[zones]
    lines, kwh_left, amount_left = [], kwh, amount
    rate = int(VAT_RATE)
    for n, (zone, share) in enumerate(splits):
        last = n == len(splits) - 1
        part_kwh = kwh_left if last else _half_even(kwh * share, 100)
        part_amount = amount_left if last else _half_even(amount * share, 100)
        kwh_left -= part_kwh
        amount_left -= part_amount
        # The VAT in an amount is rounded half up (vat_in).
        vat = (part_amount * rate * 2 + (100 + rate)) // ((100 + rate) * 2)
        # (amount − VAT) / kWh in ₽ per kWh, to the fifth decimal.
        price = _half_even((part_amount - vat) * 10**6, part_kwh) if part_kwh else 0
        lines.append((zone, part_kwh, price, part_amount, vat))
    return lines


def split_charge(kwh: Decimal, amount: Decimal, zones: int) -> list[tuple]:
    """A charge split into zone lines whose kWh and amounts add up to the charge's exactly.

    kWh to the thousandth and the amount to the kopeck, as a charge has them.
    """
    units = split_charge_units(int(kwh.scaleb(3)), int(amount.scaleb(2)), zones)
    return [
        (zone, Decimal(k).scaleb(-3), Decimal(p).scaleb(-5), Decimal(a).scaleb(-2), VAT_RATE,
         Decimal(v).scaleb(-2))
        for zone, k, p, a, v in units
    ]  # fmt: skip


def vat_in(amount: Decimal, rate: Decimal = VAT_RATE) -> Decimal:
    """The VAT contained in an amount that includes it, to the kopeck."""
    return (amount * rate / (100 + rate)).quantize(KOPECK, ROUND_HALF_UP)


def components_of(price_net: Decimal) -> list[tuple[str, Decimal]]:
    """The components of a price without VAT; they add up to it to the fifth decimal."""
    parts = [
        (kind, (price_net * share / 100).quantize(PRICE_PLACES)) for kind, share in COMPONENT_SHARES
    ]
    return [*parts, ("infrastructure", price_net - sum(p for _k, p in parts))]


def lines(charges: Iterable[tuple]) -> Iterator[tuple]:
    """The zone lines of charges given as (id, contract id, counterparty kind, kWh in
    thousandths, amount in kopecks, billing id), as rows of LINE_COLUMNS."""
    rate = str(VAT_RATE)
    for charge_id, contract_id, kind, kwh, amount, charge_bid in charges:
        for zone, k, p, a, v in split_charge_units(kwh, amount, zones_of(contract_id, kind)):
            yield (line_billing_id(charge_bid, zone), str(charge_id), zone,
                   f"{k // 1000}.{k % 1000:03d}", f"{p // 100000}.{p % 100000:05d}",
                   f"{a // 100}.{a % 100:02d}", rate, f"{v // 100}.{v % 100:02d}")  # fmt: skip


@functools.cache
def _components_of_kind(kind: str) -> list[tuple[str, Decimal]]:
    price_net = (TARIFF_KOPECKS[kind] / Decimal(100) * 100 / (100 + VAT_RATE)).quantize(
        PRICE_PLACES
    )
    return components_of(price_net)


def components(
    contract_id: int, contract_bid: str, kind: str, periods: list[tuple]
) -> Iterator[tuple]:
    """A contract's tariff components for periods given as (first day, ISO date, YYYYMM), as
    rows of COMPONENT_COLUMNS (the price depends on the counterparty's kind only)."""
    parts = [(component, str(price)) for component, price in _components_of_kind(kind)]
    contract = str(contract_id)  # rows of strings are the fastest to write (copy_text)
    for _first, iso, month in periods:
        for component, price in parts:
            yield (_component_id(contract_bid, month, component), contract, iso, component,
                   price)  # fmt: skip


#: The demo's price of a kWh with VAT in kopecks by counterparty kind (as lkk/demo/seed.py).
TARIFF_KOPECKS = {"ul": 980, "ip": 920, "fl": 655}


def _components_since(charges: list[tuple], since: dt.date) -> Iterator[tuple]:
    seen: set[tuple[int, dt.date]] = set()
    for _charge_id, contract_id, kind, _kwh, _amount, period, _bid, contract_bid in charges:
        if period < since or (contract_id, period) in seen:
            continue
        seen.add((contract_id, period))
        yield from components(
            contract_id, contract_bid, kind, [(period, period.isoformat(), f"{period:%Y%m}")]
        )


def load(stream: TextIO) -> dict[str, int]:
    """Lines and components for older charges that have none (a database seeded before lines
    existed: the seed makes them with the charges it adds); returns the row counts."""
    last = ChargeLine.objects.aggregate(last=Max("charge_id"))["last"] or 0
    charges = list(
        Charge.objects.filter(pk__gt=last)
        .order_by("pk")
        .values_list(
            "pk", "contract_id", "contract__counterparty__kind", "kwh", "amount", "period",
            "billing_id", "contract__billing_id",
        )
    )  # fmt: skip
    if not charges:
        return {"charge_line": 0, "tariff_component": 0}
    latest = max(row[5] for row in charges)
    month_index = latest.year * 12 + latest.month - 1 - (COMPONENT_MONTHS - 1)
    since = dt.date(month_index // 12, month_index % 12 + 1, 1)
    counts = {}
    line_total = sum(len(ZONE_SPLITS[zones_of(c[1], c[2])]) for c in charges)
    component_rows = list(_components_since(charges, since))
    # Into empty tables (the first seed), the unique billing_id and the other indexes are built
    # once after the rows (lkk/core/bulk.py), as for the rest of the seed.
    with indexes_after_load(ChargeLine, TariffComponent):
        progress = Progress("charge_line", line_total, stream=stream)
        counts["charge_line"] = insert_rows(
            ChargeLine,
            LINE_COLUMNS,
            lines(
                (pk, contract, kind, int(kwh.scaleb(3)), int(amount.scaleb(2)), bid)
                for pk, contract, kind, kwh, amount, _period, bid, _contract_bid in charges
            ),
            on_batch=progress.advance,
        )
        progress.close()
        progress = Progress("tariff_component", len(component_rows), stream=stream)
        counts["tariff_component"] = insert_rows(
            TariffComponent, COMPONENT_COLUMNS, component_rows, on_batch=progress.advance
        )
        progress.close()
    analyze(ChargeLine, TariffComponent)
    return counts
