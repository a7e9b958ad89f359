"""T3: the calculator's results for a table of inputs match hand-computed values (Decimal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lkk.connection.models import ConnectionDocument, FixedFee, Rate
from lkk.connection.services import connection_cost
from lkk.core.errors import ApplicationError

DAY = dt.date(2026, 11, 20)


@pytest.fixture
def rates(db):
    for voltage, per_kw in (("0.4", "8500.00"), ("6-10", "6200.00"), ("35", "4300.00")):
        for category in ("1", "2", "3"):
            for purpose in ("new", "increase"):
                Rate.objects.create(
                    voltage=voltage, category=category, purpose=purpose,
                    per_kw=D(per_kw) + (D("100.00") if purpose == "increase" else 0),
                    valid_from=dt.date(2026, 1, 1),
                )  # fmt: skip
    # An older rate and a future one, which must not be used on DAY.
    Rate.objects.create(voltage="0.4", category="2", purpose="new", per_kw=D("1.00"),
                        valid_from=dt.date(2025, 1, 1))  # fmt: skip
    Rate.objects.create(voltage="0.4", category="2", purpose="new", per_kw=D("99999.00"),
                        valid_from=dt.date(2026, 12, 1))  # fmt: skip
    FixedFee.objects.create(amount=D("550.00"), vat_percent=D("20"), valid_from=dt.date(2020, 1, 1))
    FixedFee.objects.create(amount=D("5000.00"), valid_from=dt.date(2026, 1, 1))


# "power purpose previous voltage category" → "charged net VAT total", computed by hand:
CASES = [
    # 150 kW × 8500 = 1 275 000; VAT 22% = 280 500
    ("150 new 0 0.4 3", "150 1275000.00 280500.00 1555500.00"),
    # 12.5 kW ≤ 15, 0.4 kV, III: the fixed fee 5000 + 22% = 1100
    ("12.5 new 0 0.4 3", "12.5 5000.00 1100.00 6100.00"),
    # 15 kW exactly is still the fixed fee
    ("15 new 0 0.4 3", "15 5000.00 1100.00 6100.00"),
    # 15.001 kW is not: 15.001 × 8500 = 127 508.50; VAT 28 051.87
    ("15.001 new 0 0.4 3", "15.001 127508.50 28051.87 155560.37"),
    # 10 kW at category II is per kW: 10 × 8500 = 85 000; VAT 18 700
    ("10 new 0 0.4 2", "10 85000.00 18700.00 103700.00"),
    # increase 100 → 250 kW at 6–10 kV, I: 150 × (6200 + 100) = 945 000; VAT 207 900
    ("250 increase 100 6-10 1", "150 945000.00 207900.00 1152900.00"),
    # increase 5 → 12 kW at 0.4, III: the whole power ≤ 15 → the fixed fee
    ("12 increase 5 0.4 3", "7 5000.00 1100.00 6100.00"),
    # 0.333 kW × 4300 at 35 kV = 1431.90; VAT 315.018 → 315.02
    ("0.333 new 0 35 2", "0.333 1431.90 315.02 1746.92"),
]


@pytest.mark.parametrize(("given", "expected"), CASES)
def test_cost_matches_hand_computed_values(rates, given, expected):
    power, purpose, previous, voltage, category = given.split()
    power, previous = D(power), D(previous)
    expected = tuple(D(v) for v in expected.split())
    cost = connection_cost(
        power_kw=power, purpose=purpose, previous_kw=previous, voltage=voltage,
        category=category, on=DAY,
    )  # fmt: skip
    assert (cost.charged_kw, cost.net, cost.vat, cost.total) == expected
    assert all(isinstance(v, D) for v in (cost.net, cost.vat, cost.total))
    assert cost.total == cost.net + cost.vat


def test_the_rate_valid_on_the_day_is_used(rates):
    on_day = connection_cost(power_kw=D("20"), purpose="new", voltage="0.4", category="2", on=DAY)
    assert on_day.rate.valid_from == dt.date(2026, 1, 1) and on_day.net == D("170000.00")
    earlier = connection_cost(
        power_kw=D("20"), purpose="new", voltage="0.4", category="2", on=dt.date(2025, 6, 1)
    )
    assert earlier.net == D("20.00")
    old_fee = connection_cost(
        power_kw=D("10"), purpose="new", voltage="0.4", category="3", on=dt.date(2022, 6, 1)
    )
    assert (old_fee.net, old_fee.vat, old_fee.total) == (D("550.00"), D("110.00"), D("660.00"))


def test_no_rate_is_a_clear_message(rates):
    with pytest.raises(ApplicationError, match="ставка не утверждена"):
        connection_cost(power_kw=D("20"), purpose="new", voltage="110", category="1", on=DAY)


def test_calculator_page_for_a_visitor(client, rates, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 12, 0))
    url = reverse("connection:calculator")
    assert client.get(url).status_code == 200
    page = client.get(
        url, {"purpose": "new", "power_kw": "150", "voltage": "0.4", "category": "3"}
    ).content.decode()
    assert 'data-testid="cost-total">1' in page and "555" in page
    assert "8" in page.split('data-testid="cost-rate">')[1][:80]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"power_kw": "0"}, "Мощность должна быть больше нуля."),
        ({"power_kw": "-5"}, "Мощность должна быть больше нуля."),
        ({"power_kw": "abc"}, "Введите число, например 15 или 12,5."),
        ({"power_kw": "NaN"}, "Введите число, например 15 или 12,5."),
        ({"power_kw": "2000000"}, "Мощность не может быть больше"),
        ({"power_kw": ""}, "Укажите максимальную мощность."),
        ({"power_kw": "1.23456"}, "Не больше трёх знаков после запятой."),
        ({"purpose": "increase", "power_kw": "10"}, "Укажите ранее присоединённую мощность."),
        (
            {"purpose": "increase", "power_kw": "10", "previous_kw": "10"},
            "Мощность после увеличения должна быть больше ранее присоединённой.",
        ),
        ({"voltage": "220"}, "Выберите значение из списка."),
    ],
)
def test_calculator_field_errors_in_russian(client, rates, query, message):
    base = {"purpose": "new", "power_kw": "10", "voltage": "0.4", "category": "3"}
    page = client.get(reverse("connection:calculator"), {**base, **query}).content.decode()
    assert message in page
    assert 'data-testid="calculator-result"' not in page


def test_a_comma_decimal_is_accepted(client, rates, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 12, 0))
    page = client.get(
        reverse("connection:calculator"),
        {"purpose": "new", "power_kw": "15,001", "voltage": "0.4", "category": "3"},
    ).content.decode()
    assert 'data-testid="calculator-result"' in page


def test_documents_download_as_attachments(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    doc = ConnectionDocument(kind="terms", file_name="terms.pdf", size=10)
    doc.file.save("t.pdf", SimpleUploadedFile("t.pdf", b"%PDF-1.4 t"), save=True)
    response = client.get(reverse("connection:document", args=["terms"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(reverse("connection:document", args=["instruction"])).status_code == 404
    assert (
        reverse("connection:document", args=["terms"])
        in client.get(reverse("connection:calculator")).content.decode()
    )
