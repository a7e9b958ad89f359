"""What a customer sees on the read-side pages (C1–C6)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from lkk.billing.models import Document
from lkk.customers.models import Contract
from lkk.customers.tests.factories import ContractFactory, MeterFactory, ReadingFactory


@pytest.fixture
def logged_in(client, customer_a):
    client.force_login(customer_a.user)
    return client


def test_home_lists_active_contracts_with_balance_and_last_readings(logged_in, customer_a):
    ContractFactory(
        counterparty=customer_a.counterparty, number="T-CLOSED", status=Contract.Status.TERMINATED
    )
    body = logged_in.get(reverse("customers:home")).content.decode()
    assert customer_a.contract.number in body
    assert "T-CLOSED" not in body
    assert "Задолженность" in body and "1\u202f234,50\xa0₽" in body
    assert customer_a.meter.serial_number in body
    assert "Сутки: 1\u202f234,50" in body  # the last reading, with the meter's 2 decimals


def test_home_shows_each_meters_own_last_day_in_every_zone(logged_in, customer_a):
    """Meter A was read on 25.10 and 25.11, meter B (two zones) only on 25.10: A shows its
    25.11 value alone, B both zones of 25.10 — another meter's last day is not A's."""
    point = customer_a.meter.metering_point
    a = customer_a.meter  # read on 25.10.2026 (1 234,50) by the fixture
    ReadingFactory(meter=a, read_on=dt.date(2026, 11, 25), value=Decimal("1300.25"))
    b = MeterFactory(
        metering_point__consumption_object=point.consumption_object,
        serial_number="SN-B",
        tariff_zones=2,
    )
    ReadingFactory(meter=b, zone="day", read_on=dt.date(2026, 10, 25), value=Decimal("10.5"))
    ReadingFactory(meter=b, zone="night", read_on=dt.date(2026, 10, 25), value=Decimal("7"))
    body = logged_in.get(reverse("customers:home")).content.decode()
    rows = {row.split("</td>")[1]: row for row in body.split("<tr>")[2:] if "</td>" in row}
    row_a = next(row for key, row in rows.items() if a.serial_number in key)
    row_b = next(row for key, row in rows.items() if "SN-B" in key)
    assert "25.11.2026" in row_a and "1\u202f300,25" in row_a and "1\u202f234,50" not in row_a
    assert "25.10.2026" in row_b and "День: 10,50" in row_b and "Ночь: 7,00" in row_b


def test_lists_show_a_customers_text_escaped(logged_in, customer_a):
    """Rows written in Python (lkk/core/rows.py) escape what billing sent, as templates do."""
    hostile = '<img src=x onerror="alert(1)">'
    point = customer_a.meter.metering_point
    point.name = point.address = hostile
    point.save()
    customer_a.contract.number = hostile[:30]
    customer_a.contract.save()
    customer_a.meter.model = hostile
    customer_a.meter.save()
    Document.objects.create(
        billing_id="T-DOC-1", contract=customer_a.contract, kind=Document.Kind.INVOICE,
        number=hostile[:30], issued_on=dt.date(2026, 11, 3), amount=Decimal("1.00"),
    )  # fmt: skip
    for name in ("customers:contract_list", "customers:object_list", "customers:point_list",
                 "customers:meter_list", "readings:start", "customers:home",
                 "billing:documents"):  # fmt: skip
        body = logged_in.get(reverse(name)).content.decode()
        assert "<img src=x" not in body, name
        assert "&lt;img src=x" in body, name


def test_home_shows_the_chosen_contract(logged_in, customer_a):
    second = ContractFactory(
        counterparty=customer_a.counterparty, number="T-SECOND", balance=Decimal("500")
    )
    body = logged_in.get(reverse("customers:home"), {"contract": second.pk}).content.decode()
    assert "Переплата" in body and "500,00" in body


def test_contract_detail(logged_in, customer_a):
    body = logged_in.get(
        reverse("customers:contract_detail", args=[customer_a.contract.pk])
    ).content.decode()
    for text in (
        customer_a.contract.number,
        "Энергоснабжение",
        "Действует",
        "Первая ценовая категория",
        "НН (0,4 кВ и ниже)",
        "150",
    ):
        assert text in body


def test_counterparty_page_shows_requisites(logged_in, customer_a):
    cp = customer_a.counterparty
    body = logged_in.get(reverse("customers:counterparty_detail", args=[cp.pk])).content.decode()
    for text in (cp.name, cp.inn, cp.kpp, cp.ogrn, cp.legal_address):
        assert text in body


def test_lists_search_in_cyrillic_regardless_of_case(logged_in, customer_a):
    point = customer_a.meter.metering_point
    point.name = "Насосная станция"
    point.save()
    MeterFactory(
        metering_point__consumption_object__contract=customer_a.contract,
        metering_point__name="Котельная",
    )
    url = reverse("customers:point_list")
    body = logged_in.get(url, {"q": "НАСОСНАЯ"}).content.decode()
    assert "Насосная станция" in body and "Котельная" not in body
    assert "Ничего не найдено." in logged_in.get(url, {"q": "склад"}).content.decode()
    assert "Котельная" in logged_in.get(url, {"q": "котельн"}).content.decode()


def test_lists_sort_and_page(logged_in, customer_a, settings):
    settings.LKK_PAGE_SIZE = 2
    for n in ("T-A1", "T-A2", "T-A3"):
        ContractFactory(counterparty=customer_a.counterparty, number=n)
    url = reverse("customers:contract_list")
    first = logged_in.get(url, {"sort": "number"}).content.decode()
    assert "T-A1" in first and "T-A2" in first and "T-A3" not in first
    assert "Страница 1 из 2" in first
    second = logged_in.get(url, {"sort": "number", "page": 2}).content.decode()
    assert "T-A3" in second and "T-A1" not in second
    descending = logged_in.get(url, {"sort": "-number"}).content.decode()
    assert descending.index(customer_a.contract.number) < descending.index("T-A3")
    # An unknown sort key falls back to the default instead of failing.
    assert logged_in.get(url, {"sort": "password"}).status_code == 200
    assert logged_in.get(url, {"page": "999"}).status_code == 200


def test_a_page_past_the_end_shows_the_last_page(logged_in, customer_a, settings):
    """The page's ids and the count come from one query; past the end (where it finds no row)
    the count still finds the last page, and the counts shown stay right."""
    settings.LKK_PAGE_SIZE = 2
    for n in ("T-A1", "T-A2", "T-A3", "T-A4"):
        ContractFactory(counterparty=customer_a.counterparty, number=n)
    url = reverse("customers:contract_list")
    numbers = list(
        Contract.objects.filter(counterparty=customer_a.counterparty)
        .order_by("number", "pk")
        .values_list("number", flat=True)
    )
    assert len(numbers) == 5
    for page in ("3", "999", str(2**63 - 1), "x", "0"):
        body = logged_in.get(url, {"sort": "number", "page": page}).content.decode()
        last = page not in ("x", "0")
        assert ("Страница 3 из 3" if last else "Страница 1 из 3") in body, page
        shown = [number for number in numbers if f">{number}<" in body]
        assert shown == (numbers[4:] if last else numbers[:2]), page
    nothing = logged_in.get(url, {"q": "нет такого", "page": "5"}).content.decode()
    assert "Ничего не найдено." in nothing and "Страница" not in nothing
    found = logged_in.get(url, {"q": "t-a", "page": "2"}).content.decode()
    assert "T-A3" in found and "T-A4" in found and "Страница 2 из 2" in found


@time_machine.travel(dt.date(2026, 6, 1))
def test_meter_verification_warnings(logged_in, customer_a):
    soon = MeterFactory(
        metering_point__consumption_object__contract=customer_a.contract,
        next_verification_on=dt.date(2026, 8, 1),
        serial_number="SOON-1",
    )
    late = MeterFactory(
        metering_point__consumption_object__contract=customer_a.contract,
        next_verification_on=dt.date(2026, 5, 1),
        serial_number="LATE-1",
    )
    listing = logged_in.get(
        reverse("customers:meter_list"), {"verification": "due"}
    ).content.decode()
    assert "SOON-1" in listing and "LATE-1" in listing
    assert customer_a.meter.serial_number not in listing  # due in 2036
    assert "Скоро поверка" in listing and "Поверка просрочена" in listing
    page = logged_in.get(reverse("customers:meter_detail", args=[soon.pk])).content.decode()
    assert "Срок следующей поверки — 01.08.2026" in page
    page = logged_in.get(reverse("customers:meter_detail", args=[late.pk])).content.decode()
    assert "Срок поверки истёк 01.05.2026" in page


def test_meter_detail_shows_history(logged_in, customer_a):
    ReadingFactory(meter=customer_a.meter, read_on=dt.date(2026, 9, 25), value=Decimal("1200"))
    body = logged_in.get(
        reverse("customers:meter_detail", args=[customer_a.meter.pk])
    ).content.decode()
    assert "25.09.2026" in body and "25.10.2026" in body
    assert body.index("25.10.2026") < body.index("25.09.2026")


def test_kept_statements_show_what_the_database_holds_now(logged_in, customer_a):
    """A list's statements are kept between requests (lkk/core/lists.py): what they find is
    read anew each time — a contract added shows, a narrowed grant hides the others at once."""
    from lkk.customers.models import AccessGrant

    url = reverse("customers:contract_list")
    for _ in range(2):
        body = logged_in.get(url, {"sort": "number"}).content.decode()
        assert "Найдена 1 запись" in body and "K-NEW" not in body
    added = ContractFactory(counterparty=customer_a.counterparty, number="K-NEW")
    body = logged_in.get(url, {"sort": "number"}).content.decode()
    assert "Найдено записей: 2" in body and "K-NEW" in body
    grant = AccessGrant.objects.get(user=customer_a.user)
    grant.all_contracts = False
    grant.save()
    grant.contracts.set([added])
    body = logged_in.get(url, {"sort": "number"}).content.decode()
    assert "Найдена 1 запись" in body and "K-NEW" in body
    assert f">{customer_a.contract.number}<" not in body


def test_a_kept_list_makes_its_querysets_only_once(logged_in, customer_a, monkeypatch):
    """A list page whose statements are kept builds its querysets (through visible_to) the first
    time only; the next requests run the kept statements and show the same page."""
    from lkk.customers import selectors
    from lkk.customers.views import ContractList

    made = []
    for owner, name in ((ContractList, "get_base_queryset"),
                        (selectors, "active_contracts_for_user")):  # fmt: skip
        original = getattr(owner, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            made.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)
    for url in (reverse("customers:contract_list"), reverse("customers:home")):
        first = logged_in.get(url, {"q": customer_a.contract.number}).content.decode()
        assert len(made) == 1, made
        again = logged_in.get(url, {"q": customer_a.contract.number}).content.decode()
        assert len(made) == 1, made
        assert customer_a.contract.number in again
        assert again.replace(" ", "").count(customer_a.contract.number) == (
            first.replace(" ", "").count(customer_a.contract.number)
        )
        made.clear()


def test_the_meters_due_for_verification_follow_the_day(logged_in, customer_a):
    """«Скоро поверка» looks LKK_VERIFICATION_WARNING_DAYS ahead of today: a kept statement of
    yesterday must not hide a meter that comes due today."""
    MeterFactory(
        metering_point__consumption_object__contract=customer_a.contract,
        next_verification_on=dt.date(2026, 8, 31),
        serial_number="DUE-31",
    )
    url = reverse("customers:meter_list")
    with time_machine.travel(dt.date(2026, 6, 1)):  # 91 days ahead
        assert "DUE-31" not in logged_in.get(url, {"verification": "due"}).content.decode()
    with time_machine.travel(dt.date(2026, 6, 2)):  # 90 days ahead
        assert "DUE-31" in logged_in.get(url, {"verification": "due"}).content.decode()
