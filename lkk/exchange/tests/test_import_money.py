"""I1 for the money billing itemises (B1, R3): charge lines and tariff components — bad rows,
idempotence, updates, and the rule that a charge's lines add up to the charge exactly."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lkk.billing.models import Charge, ChargeLine, TariffComponent
from lkk.billing.selectors import charge_lines_mismatch
from lkk.customers.tests.factories import ContractFactory
from lkk.exchange import importer
from lkk.exchange.importer import import_file
from lkk.exchange.models import ImportBatch

pytestmark = pytest.mark.django_db

LINES = "billing_id;charge;zone;kwh;price;amount;vat_rate;vat_amount"
COMPONENTS = "billing_id;contract;period;kind;price"


@pytest.fixture
def contract():
    contract = ContractFactory(billing_id="K-1")
    for n, (kwh, amount) in enumerate(
        [("100.000", "1000.00"), ("50.000", "500.00"), ("10.000", "100.00"),
         ("10.000", "120.00"), ("10.000", "100.00"), ("30.000", "300.00")],
        start=1,
    ):  # fmt: skip
        Charge.objects.create(
            billing_id=f"C{n}", contract=contract, period=dt.date(2026, n, 1),
            kwh=Decimal(kwh), amount=Decimal(amount),
        )  # fmt: skip
    return contract


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _import(entity: str, data: bytes, fmt: str = "csv") -> ImportBatch:
    batch = ImportBatch.objects.create(entity=entity, channel="command", source="test")
    return import_file(entity, data, fmt=fmt, name=f"{entity}.{fmt}", batch=batch)


def _lines() -> dict[str, tuple]:
    return {
        bid: (charge, zone, kwh, amount)
        for bid, charge, zone, kwh, amount in ChargeLine.objects.values_list(
            "billing_id", "charge__billing_id", "zone", "kwh", "amount"
        )
    }


GOOD_LINES = _csv(
    LINES,
    "L1-day;C1;day;70.000;8.33333;700.00;20;116.67",
    "L1-night;C1;night;30.000;8.33333;300.00;20;50.00",
    "L2;C2;total;50.000;8.33333;500.00;20;83.33",
)


def test_charge_lines_bad_rows_are_rejected_with_line_and_reason(contract):
    data = _csv(
        LINES,
        "L1-day;C1;day;70.000;8.33333;700.00;20;116.67",  # 2: good (C1 adds up)
        "L1-night;C1;night;30.000;8.33333;300.00;20;50.00",  # 3: good
        "L2;C2;total;50.000;8.33333;499.99;20;83.33",  # 4: C2 is 500.00 — a kopeck short
        "L3-x;C3;xx;1;1;1;20;0",  # 5: not a zone
        "L3;C3;total;10.000;8.33333;100.00;20;16.67",  # 6: good: C3 adds up without line 5
        "L9;NOPE;total;1;1;1;20;0",  # 7: no such charge
        "L4;C4;total;10.000;10.00000;120.00;20;120.01",  # 8: VAT above the amount
        "L5-a;C5;total;5.000;8.33333;50.00;20;8.33",  # 9: zone total twice for C5
        "L5-b;C5;total;5.000;8.33333;50.00;20;8.33",  # 10
        "L6;C6;total;-30;8.33333;300.00;20;50.00",  # 11: negative kWh
        "L1-day;C1;day;70;8;700;20;116.67",  # 12: the same billing_id again
        "L7;C1;peak;1,5;1;1;20;0",  # 13: decimal comma
    )
    batch = _import("charge_lines", data)

    assert batch.status == "done", batch.error
    assert (batch.rows_total, batch.created, batch.rejected) == (12, 3, 9)
    reasons = {r["line"]: r["reason"] for r in batch.rejected_rows}
    assert set(reasons) == {4, 5, 7, 8, 9, 10, 11, 12, 13}
    assert reasons[4] == (
        "строки начисления C2 не сходятся с ним: по строкам 50.000 кВт·ч и 499.99 ₽, в начислении "
        "50.000 кВт·ч и 500.00 ₽ — строки этого начисления не загружены"
    )
    assert "zone: недопустимое значение «xx»" in reasons[5]
    assert reasons[7] == "charge: нет записи с billing_id NOPE"
    assert reasons[8] == "vat_amount: НДС больше суммы строки с НДС"
    assert "зона total встречается дважды" in reasons[9] == reasons[10]
    assert reasons[11].startswith("kwh: ")
    assert "уже был в строке 2" in reasons[12]
    assert "с точкой" in reasons[13]
    assert set(_lines()) == {"L1-day", "L1-night", "L3"}
    assert charge_lines_mismatch() == []


def test_charge_lines_second_import_changes_nothing_and_a_changed_charge_updates(contract):
    first = _import("charge_lines", GOOD_LINES)
    assert (first.created, first.rejected) == (3, 0), first.rejected_rows
    stored = sorted(ChargeLine.objects.values_list())

    again = _import("charge_lines", GOOD_LINES)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert sorted(ChargeLine.objects.values_list()) == stored  # synced_at did not move

    # Billing re-splits C1: both its lines change; the file need not repeat the other charges.
    moved = _import("charge_lines", _csv(
        LINES,
        "L1-day;C1;day;60.000;8.33333;600.00;20;100.00",
        "L1-night;C1;night;40.000;8.33333;400.00;20;66.67",
    ))  # fmt: skip
    assert (moved.created, moved.updated, moved.unchanged, moved.rejected) == (0, 2, 0, 0)
    assert _lines()["L1-day"] == ("C1", "day", Decimal("60.000"), Decimal("600.00"))

    # One line alone that no longer adds up with the stored other one: refused, nothing moves.
    before = sorted(ChargeLine.objects.values_list())
    half = _import("charge_lines", _csv(LINES, "L1-day;C1;day;65.000;8.33333;650.00;20;108.33"))
    assert (half.updated, half.rejected) == (0, 1)
    assert "по строкам 105.000 кВт·ч и 1050.00 ₽" in half.rejected_rows[0]["reason"]
    assert sorted(ChargeLine.objects.values_list()) == before

    # A line does not move to another charge (the first one's sum would change unchecked).
    away = _import("charge_lines", _csv(LINES, "L2;C6;total;30.000;8.33333;300.00;20;50.00"))
    assert (away.created, away.updated, away.rejected) == (0, 0, 1)
    assert away.rejected_rows[0]["reason"] == (
        "charge: строка уже есть в начислении C2, к другому начислению она не переходит"
    )
    assert _lines()["L2"][0] == "C2"
    assert charge_lines_mismatch() == []


def test_a_charges_lines_may_stand_apart_in_a_file_of_many_chunks(contract, monkeypatch):
    """The check waits for the rest of a charge's lines in later chunks (2 rows a chunk here);
    the queries stay a fixed number a chunk."""
    monkeypatch.setattr(importer, "CHUNK", 2)
    rows = [
        "A-day;C1;day;70.000;8.33333;700.00;20;116.67",
        "B;C2;total;50.000;8.33333;500.00;20;83.33",
        "C;C3;total;10.000;8.33333;100.00;20;16.67",
        "D;C6;total;30.000;8.33333;300.00;20;50.00",
        "E-peak;C5;peak;3.000;8.33333;30.00;20;5.00",  # C5's other line never comes
        "A-night;C1;night;30.000;8.33333;300.00;20;50.00",  # completes C1 three chunks later
    ]
    with CaptureQueriesContext(connection) as queries:
        batch = _import("charge_lines", _csv(LINES, *rows))
    assert (batch.created, batch.rejected) == (5, 1), batch.rejected_rows
    assert batch.rejected_rows[0]["line"] == 6
    assert "C5 не сходятся" in batch.rejected_rows[0]["reason"]
    assert set(_lines()) == {"A-day", "A-night", "B", "C", "D"}
    assert charge_lines_mismatch() == []
    # 3 chunks; per chunk: parents, existing rows, the charges' sums, their stored lines, the
    # insert (and savepoints): no query a row.
    assert len(queries) < 3 * 8 + 6, [q["sql"][:80] for q in queries.captured_queries]


def test_charge_lines_in_json(contract):
    rows = [
        {"billing_id": "J1", "charge": "C2", "zone": "total", "kwh": 50, "price": "8.33333",
         "amount": "500.00", "vat_rate": 20, "vat_amount": "83.33"},
        {"billing_id": "J2", "charge": "C3", "zone": "total", "kwh": 10, "price": "8.33333",
         "amount": 99, "vat_rate": 20, "vat_amount": "16.50"},
    ]  # fmt: skip
    batch = _import("charge_lines", json.dumps(rows).encode(), fmt="json")
    assert (batch.created, batch.rejected) == (1, 1)
    assert batch.rejected_rows[0]["line"] == 2
    assert "C3 не сходятся" in batch.rejected_rows[0]["reason"]


def test_tariff_components_bad_rows_idempotence_and_update(contract):
    ContractFactory(billing_id="K-2")
    data = _csv(
        COMPONENTS,
        "T1;K-1;2026-10-01;generation;4.24667",  # 2: good
        "T2;K-1;2026-10-01;transmission;3.26667",  # 3: good
        "T3;K-2;2026-10-01;generation;4.10000",  # 4: good (another contract)
        "T4;K-1;2026-10-15;sales_markup;0.57167",  # 5: not the first of a month
        "T5;K-1;2026-10-01;tax;1",  # 6: not a component
        "T6;K-9;2026-10-01;generation;1",  # 7: no such contract
        "T7;K-1;2026-10-01;generation;4.5",  # 8: K-1's generation for 10.2026 is T1
        "T8;K-1;2026-10-01;infrastructure;",  # 9: no price
    )
    batch = _import("tariff_components", data)
    reasons = {r["line"]: r["reason"] for r in batch.rejected_rows}
    assert (batch.created, batch.rejected) == (3, 5), reasons
    assert set(reasons) == {5, 6, 7, 8, 9}
    assert "отклонено базой данных" in reasons[5]
    assert "kind: недопустимое значение «tax»" in reasons[6]
    assert reasons[7] == "contract: нет записи с billing_id K-9"
    assert "отклонено базой данных" in reasons[8]
    assert reasons[9] == "price: не заполнено обязательное поле"
    good = _csv(COMPONENTS, *data.decode().splitlines()[1:4])
    stored = sorted(TariffComponent.objects.values_list())

    again = _import("tariff_components", good)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert sorted(TariffComponent.objects.values_list()) == stored

    changed = _import("tariff_components", good.replace(b"4.10000", b"4.20000"))
    assert (changed.updated, changed.unchanged) == (1, 2)
    assert TariffComponent.objects.get(billing_id="T3").price == Decimal("4.20000")
    assert TariffComponent.objects.get(billing_id="T3").contract.billing_id == "K-2"


def test_billing_pushes_lines_and_components_through_the_api(client, contract, settings):
    settings.LKK_EXCHANGE_TOKENS = {"billing": "b" * 40}
    auth = {"HTTP_AUTHORIZATION": "Bearer " + "b" * 40}
    url = reverse("exchange:api_import", kwargs={"entity": "charge_lines"})
    bad = GOOD_LINES.replace(b"500.00;20;83.33", b"500.01;20;83.33")
    report = client.post(url, bad, content_type="text/csv", **auth).json()
    assert (report["created"], report["rejected"]) == (2, 1)
    assert report["rejected_rows"][0]["billing_id"] == "L2"
    assert "C2 не сходятся" in report["rejected_rows"][0]["reason"]
    report = client.post(url, GOOD_LINES, content_type="text/csv", **auth).json()
    assert (report["created"], report["unchanged"], report["rejected"]) == (1, 2, 0)

    url = reverse("exchange:api_import", kwargs={"entity": "tariff_components"})
    rows = [{"billing_id": "T1", "contract": "K-1", "period": "2026-10-01", "kind": "generation",
             "price": "4.24667"}]  # fmt: skip
    report = client.post(url, json.dumps(rows), content_type="application/json", **auth).json()
    assert (report["entity"], report["created"]) == ("tariff_components", 1)


# --- the quick reading of the usual cell (speed) keeps every check -----------------------------


def _full(f, raw: object, csv: bool = True) -> object:
    """What the full checks make of a cell: its value, or SLOW when they refuse it."""
    from django.core.exceptions import ValidationError

    try:
        value = importer._converter(f)(raw, csv)
        if f.choices and value not in {c for c, _label in f.flatchoices}:
            return importer.SLOW
        for validator in f.validators:
            validator(value)
    except (importer.RowError, ValidationError):
        return importer.SLOW
    return value


QUICK_FIELDS = [
    (Charge, "amount"),  # 12.2, ≥ 0
    (Charge, "kwh"),  # 13.3, ≥ 0
    (ChargeLine, "price"),  # 7.5, ≥ 0
    (TariffComponent, "price"),  # 7.5, any sign
    (Charge, "period"),
    (ChargeLine, "zone"),  # choices
    (TariffComponent, "billing_id"),  # ≤ 64 characters
]


@pytest.mark.parametrize(("model", "name"), QUICK_FIELDS)
def test_the_quick_reading_never_accepts_what_the_full_checks_refuse(model, name):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    f = model._meta.get_field(name)
    allowed = frozenset(c for c, _label in f.flatchoices) if f.choices else None
    quick = importer._quick(f, True, allowed)
    cells = st.one_of(
        st.from_regex(r"\s?[+-]?[0-9]{0,15}(\.[0-9]{0,7})?\s?", fullmatch=True),
        st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
        st.sampled_from(["", "day", "'=1", "x" * 64, "x" * 65, "1e3", "NaN", "-0", "０"]),
        st.text(max_size=70),
    )

    @settings(max_examples=300, deadline=None)
    @given(cells)
    def check(raw):
        value = quick(raw)
        if value is not importer.SLOW:
            full = _full(f, raw)
            assert full is not importer.SLOW, raw
            assert (type(value), str(value)) == (type(full), str(full)), raw

    check()
