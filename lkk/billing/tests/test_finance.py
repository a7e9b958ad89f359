"""B1 «Финансы» and B2 «Документы»: every amount shown equals the database's sum."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from decimal import Decimal

import pytest
import zxingcpp
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from lkk.billing import payment
from lkk.billing.models import Charge, ChargeLine, Document, Payment
from lkk.billing.selectors import charge_lines_mismatch
from lkk.billing.words import integer_in_words, plural, rubles_in_words
from lkk.core.formats import parse_number
from lkk.demo import money

pytestmark = pytest.mark.django_db

GOST = re.compile(
    r"^ST00012\|Name=[^|]+\|PersonalAcc=\d{20}\|BankName=[^|]+\|BIC=\d{9}\|"
    r"CorrespAcc=\d{20}\|PayeeINN=\d{10}\|KPP=\d{9}\|Sum=(\d+)\|Purpose=[^|]+$"
)


def _cells(html: str, testid: str) -> list[Decimal]:
    return [parse_number(v) for v in re.findall(rf'data-testid="{testid}">([^<]*)<', html)]


def _db(contract, start: dt.date, end: dt.date) -> dict[str, Decimal]:
    with_scope = Charge.objects.filter(contract=contract, period__gte=start, period__lte=end)
    from lkk.customers.access import scopes_disabled

    with scopes_disabled():
        charges = with_scope.aggregate(kwh=Sum("kwh"), amount=Sum("amount"))
        vat = ChargeLine.objects.filter(
            charge__contract=contract, charge__period__gte=start, charge__period__lte=end
        ).aggregate(v=Sum("vat_amount"))["v"]
        paid = Payment.objects.filter(
            contract=contract, paid_on__gte=start, paid_on__lt=_next_month(end)
        ).aggregate(s=Sum("amount"))["s"]
    return {**charges, "vat": vat, "paid": paid}


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=5)).replace(day=1)


# --- words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "Ноль рублей 00 копеек"),
        ("1.01", "Один рубль 01 копейка"),
        ("2.02", "Два рубля 02 копейки"),
        ("11.11", "Одиннадцать рублей 11 копеек"),
        ("21.21", "Двадцать один рубль 21 копейка"),
        ("1200.05", "Одна тысяча двести рублей 05 копеек"),
        ("2002.00", "Две тысячи два рубля 00 копеек"),
        ("15000", "Пятнадцать тысяч рублей 00 копеек"),
        ("1001000.50", "Один миллион одна тысяча рублей 50 копеек"),
        (
            "312456789.99",
            "Триста двенадцать миллионов четыреста пятьдесят шесть тысяч "
            "семьсот восемьдесят девять рублей 99 копеек",
        ),
    ],
)
def test_rubles_in_words(amount, words):
    assert rubles_in_words(Decimal(amount)) == words


def test_plural_and_limits():
    assert [plural(n, ("рубль", "рубля", "рублей")) for n in (1, 3, 5, 11, 14, 22, 111)] == [
        "рубль", "рубля", "рублей", "рублей", "рублей", "рубля", "рублей"
    ]  # fmt: skip
    assert integer_in_words(1_000_000_000_000) == "один триллион"
    with pytest.raises(ValueError):
        integer_in_words(-1)


# --- the mirror's invariant and the demo ------------------------------------------------------


def _split_with_decimals(kwh: Decimal, amount: Decimal, zones: int) -> list[tuple]:
    """The split as Decimal arithmetic states it (the reference for the integer one)."""
    lines, kwh_left, amount_left = [], kwh, amount
    splits = money.ZONE_SPLITS[zones]
    for n, (zone, share) in enumerate(splits):
        last = n == len(splits) - 1
        part_kwh = kwh_left if last else (kwh * share / 100).quantize(Decimal("0.001"))
        part_amount = amount_left if last else (amount * share / 100).quantize(Decimal("0.01"))
        kwh_left -= part_kwh
        amount_left -= part_amount
        vat = money.vat_in(part_amount)
        price = ((part_amount - vat) / part_kwh).quantize(Decimal("0.00001")) if part_kwh else 0
        lines.append((zone, part_kwh, price, part_amount, money.VAT_RATE, vat))
    return lines


def test_split_charge_in_integers_gives_what_decimals_give():
    rng = random.Random(13)
    cases = [
        (Decimal("0.000"), Decimal("0.00")),
        (Decimal("0.001"), Decimal("0.05")),
        (Decimal("1234.567"), Decimal("12098.77")),
        (Decimal("3.000"), Decimal("0.03")),
    ]
    for _ in range(5000):
        kwh = Decimal(rng.randint(0, 10**9)).scaleb(-3)
        cases.append((kwh, Decimal(rng.randint(0, 10**10)).scaleb(-2)))
        # The demo's charges: whole kWh at a price in kopecks.
        whole = rng.randint(1, 300_000)
        cases.append((Decimal(f"{whole}.000"), Decimal(whole * rng.choice((980, 920, 655))) / 100))
    for kwh, amount in cases:
        for zones in (1, 2, 3):
            assert money.split_charge(kwh, amount, zones) == _split_with_decimals(
                kwh, amount, zones
            ), (kwh, amount, zones)


def test_split_charge_adds_up():
    for zones in (1, 2, 3):
        lines = money.split_charge(Decimal("1234.567"), Decimal("12098.77"), zones)
        assert sum(line[1] for line in lines) == Decimal("1234.567")
        assert sum(line[3] for line in lines) == Decimal("12098.77")
        for _zone, _kwh, _price, amount, rate, vat in lines:
            assert vat == (amount * rate / (100 + rate)).quantize(Decimal("0.01"))


def test_demo_lines_and_components_add_up():
    from lkk.billing.models import TariffComponent
    from lkk.demo.seed import load_counterparty

    counterparty = load_counterparty(billing_id="T-MONEY", index=4242, contracts=3, points=2)
    charges = Charge.objects.filter(contract__counterparty=counterparty)
    assert charges.count() and not charge_lines_mismatch(charges)
    assert ChargeLine.objects.filter(charge__in=charges).count() >= charges.count()
    components = TariffComponent.objects.filter(contract__counterparty=counterparty)
    assert components.values("contract", "period").distinct().count() == 3 * money.COMPONENT_MONTHS
    # The invoice of a month bills that month's charge (its lines are the PDF's lines).
    for document in Document.objects.filter(contract__counterparty=counterparty, kind="invoice"):
        assert (
            document.amount
            == charges.get(contract=document.contract, period=document.period).amount
        )


def test_mismatch_is_found(money_a):
    charge = Charge.objects.filter(contract=money_a.contract).first()
    line = charge.lines.first()
    line.amount += Decimal("0.01")
    line.save()
    assert charge_lines_mismatch() == [charge.pk]


# --- «Финансы» ----------------------------------------------------------------------------


def test_finance_page_sums_equal_the_database(client, money_a):
    client.force_login(money_a.user)
    url = reverse("billing:contract", args=[money_a.contract.pk])
    html = client.get(url, {"from": "2026-01-15", "to": "2026-06-03"}).content.decode()
    db = _db(money_a.contract, dt.date(2026, 1, 1), dt.date(2026, 6, 1))
    amounts = _cells(html, "charge-amount")
    assert len(amounts) == 6
    assert sum(amounts) == db["amount"] == _cells(html, "charges-total")[0]
    assert _cells(html, "vat-total") == [db["vat"]]
    assert _cells(html, "payments-total") == [db["paid"]]
    # The default period: the last 12 months up to this month.
    html = client.get(url).content.decode()
    assert _cells(html, "charges-total") == [
        _db(money_a.contract, dt.date(2025, 12, 1), dt.date(2026, 11, 1))["amount"]
    ]
    assert "finance-kwh-data" in html and 'data-testid="pay-qr"' in html


def test_finance_exports_equal_the_database(client, money_a):
    client.force_login(money_a.user)
    url = reverse("billing:contract_export", args=[money_a.contract.pk])
    period = {"from": "2025-07-01", "to": "2026-10-31"}
    db = _db(money_a.contract, dt.date(2025, 7, 1), dt.date(2026, 10, 1))

    response = client.get(url, {**period, "format": "xlsx"})
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["Начисления"].iter_rows(values_only=True))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    col = header.index("Сумма с НДС, ₽")
    vat_col = header.index("В т. ч. НДС, ₽")
    assert len(body) == 16
    assert sum(Decimal(str(r[col])) for r in body) == db["amount"]
    assert Decimal(str(total[col])) == db["amount"]
    assert Decimal(str(total[vat_col])) == db["vat"]
    paid = list(book["Платежи"].iter_rows(values_only=True))
    assert Decimal(str(paid[-1][3])) == db["paid"]
    assert sum(Decimal(str(r[3])) for r in paid[1:-1]) == db["paid"]

    response = client.get(url, {**period, "format": "csv"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    totals = [r for r in rows if r and r[0] == "Итого"]
    assert Decimal(totals[0][-2].replace(",", ".")) == db["amount"]
    assert Decimal(totals[1][-1].replace(",", ".")) == db["paid"]
    assert client.get(url, {"format": "pdf"}).status_code == 404


def test_payment_qr_is_the_gost_string_of_the_debt(client, money_a, settings):
    client.force_login(money_a.user)
    contract = money_a.contract
    assert contract.balance == Decimal("-1234.50")
    response = client.get(reverse("billing:contract_qr", args=[contract.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    payload = payment.qr_payload(contract.debt, payment.contract_purpose(contract))
    supplier = settings.LKK_SUPPLIER
    assert payload == (
        f"ST00012|Name={supplier['name']}|PersonalAcc={supplier['account']}|"
        f"BankName={supplier['bank_name']}|BIC={supplier['bic']}|"
        f"CorrespAcc={supplier['corr_account']}|PayeeINN={supplier['inn']}|"
        f"KPP={supplier['kpp']}|Sum=123450|"
        f"Purpose=Оплата электроэнергии по договору № {contract.number}"
    )
    assert response.content == payment.qr_svg(payload, "QR-код для оплаты")
    # The same code as a picture decodes to the exact string.
    image = Image.open(io.BytesIO(_png(payload)))
    assert zxingcpp.read_barcodes(image)[0].text == payload
    # No debt, no code.
    contract.balance = Decimal("10.00")
    contract.save()
    assert client.get(reverse("billing:contract_qr", args=[contract.pk])).status_code == 404


def _png(payload: str) -> bytes:
    import base64

    uri = payment.qr_png_data_uri(payload)
    return base64.b64decode(uri.split(",", 1)[1])


def test_qr_field_separator_cannot_be_injected():
    payload = payment.qr_payload(Decimal("1.005"), "за|Sum=1\nдве строки")
    assert payload.count("|") == 9 and "Sum=101|" in payload
    assert payload.endswith("Purpose=за Sum=1 две строки")


# --- «Документы» --------------------------------------------------------------------------


def test_invoice_pdf_has_the_sums_the_words_and_the_qr(client, money_a):
    client.force_login(money_a.user)
    document = Document.objects.get(contract=money_a.contract, kind="invoice")
    response = client.get(reverse("billing:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    assert f"№ {document.number} от 03.11.2026" in flat
    amounts = [parse_number(m) for m in re.findall(r"\d{1,3}(?:[\u00a0\u202f]\d{3})*,\d{2}", text)]
    charge = Charge.objects.get(contract=money_a.contract, period=document.period)
    from lkk.customers.access import scopes_disabled

    with scopes_disabled():
        lines = list(charge.lines.all())
    assert document.amount in amounts
    assert sum(line.vat_amount for line in lines) in amounts
    assert sum(line.amount - line.vat_amount for line in lines) in amounts
    assert rubles_in_words(document.amount) in flat
    assert "БИК" in flat and "044525225" in flat and money_a.counterparty.inn in flat
    images = [img for page in reader.pages for img in page.images]
    assert images, "the invoice carries its payment QR code"
    decoded = zxingcpp.read_barcodes(images[0].image.convert("RGB"))
    expected = payment.qr_payload(
        document.amount,
        payment.contract_purpose(money_a.contract, f"{document.period:%m.%Y}"),
    )
    assert decoded[0].text == expected
    assert int(GOST.match(expected).group(1)) == int(document.amount * 100)


def test_upd_pdf_has_no_qr(client, money_a):
    client.force_login(money_a.user)
    document = Document.objects.get(contract=money_a.contract, kind="upd")
    response = client.get(reverse("billing:document_download", args=[document.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    assert not [img for page in reader.pages for img in page.images]
    assert "УПД" in reader.pages[0].extract_text()


def test_billing_file_is_served_as_is(client, money_a, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    document = Document.objects.get(contract=money_a.contract, kind="upd")
    document.file.save("upd.pdf", ContentFile(b"%PDF-1.4 billing's own"), save=True)
    client.force_login(money_a.user)
    response = client.get(reverse("billing:document_download", args=[document.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 billing's own"
    assert response["Content-Disposition"].startswith("attachment")


def test_document_list_filters(client, money_a):
    client.force_login(money_a.user)
    url = reverse("billing:documents")
    html = client.get(url).content.decode()
    assert "Найдено записей: 2" in html
    html = client.get(url, {"kind": "invoice"}).content.decode()
    assert "Найдена 1 запись" in html and "/2610" in html
    html = client.get(url, {"from": "2026-11-01", "to": "2026-11-30"}).content.decode()
    assert "Найдена 1 запись" in html
    html = client.get(url, {"contract": money_a.contract.pk, "kind": "upd"}).content.decode()
    assert "/2609" in html and "/2610" not in html


def test_lists_keep_a_fixed_query_count(client, money_a, django_assert_max_num_queries):
    from lkk.billing.tests.conftest import add_money
    from lkk.customers.tests.factories import ContractFactory

    client.force_login(money_a.user)
    urls = [
        reverse("billing:index"),
        reverse("billing:documents"),
        reverse("billing:contract", args=[money_a.contract.pk]),
    ]
    counts = {}
    for url in urls:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx)
    for n in range(8):
        add_money(ContractFactory(counterparty=money_a.counterparty), months=14, prefix=f"B{n}")
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
