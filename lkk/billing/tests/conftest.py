"""Money of customer A's contract: 17 months of charges split by zone, payments, documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from lkk.billing.models import Charge, ChargeLine, Document, Payment, TariffComponent
from lkk.billing.selectors import month_start
from lkk.demo import money

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0), tick=False):
        yield TODAY


def add_money(contract, *, months: int = 17, zones: int = 3, prefix: str = "A") -> list[Charge]:
    charges = []
    for back in range(months, 0, -1):
        period = month_start(TODAY, back)
        kwh = Decimal(1000 + back * 37) + Decimal("0.125")
        amount = (kwh * Decimal("9.80")).quantize(Decimal("0.01"))
        charge = Charge.objects.create(
            billing_id=f"{prefix}-CH-{contract.pk}-{period:%Y%m}",
            contract=contract,
            period=period,
            kwh=kwh,
            amount=amount,
        )
        ChargeLine.objects.bulk_create(
            ChargeLine(
                billing_id=money.line_billing_id(charge.billing_id, z),
                charge=charge,
                zone=z,
                kwh=k,
                price=p,
                amount=a,
                vat_rate=r,
                vat_amount=v,
            )
            for z, k, p, a, r, v in money.split_charge(kwh, amount, zones)
        )
        price_net = Decimal("8.16667")
        TariffComponent.objects.bulk_create(
            TariffComponent(
                billing_id=money.component_billing_id(
                    f"{prefix}-{contract.billing_id}", period, kind
                ),
                contract=contract,
                period=period,
                kind=kind,
                price=price,
            )
            for kind, price in money.components_of(price_net)
        )
        Payment.objects.create(
            billing_id=f"{prefix}-P-{contract.pk}-{period:%Y%m}",
            contract=contract,
            paid_on=month_start(TODAY, back - 1).replace(day=10),
            amount=amount - Decimal("0.01") * back,
            document_number=f"{prefix}{back:03d}",
            purpose=f"Оплата за {period:%m.%Y}",
        )
        charges.append(charge)
    last = charges[-1]
    Document.objects.create(
        billing_id=f"{prefix}-INV-{contract.pk}",
        contract=contract,
        kind=Document.Kind.INVOICE,
        number=f"{prefix}-{contract.pk}/2610",
        issued_on=dt.date(2026, 11, 3),
        period=last.period,
        amount=last.amount,
    )
    Document.objects.create(
        billing_id=f"{prefix}-UPD-{contract.pk}",
        contract=contract,
        kind=Document.Kind.UPD,
        number=f"{prefix}-{contract.pk}/2609",
        issued_on=dt.date(2026, 10, 3),
        period=charges[-2].period,
        amount=charges[-2].amount,
    )
    return charges


@pytest.fixture
def money_a(customer_a, today):
    add_money(customer_a.contract)
    return customer_a
