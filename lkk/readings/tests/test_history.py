"""A meter's reading history (M4): the page, the monthly chart data and the CSV/XLSX download."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lkk.customers.models import TariffZones, Zone
from lkk.customers.tests.factories import MeterFactory, ReadingFactory
from lkk.readings import history
from lkk.readings.models import Reading

TODAY = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
REASON = "Показание меньше предыдущего"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def logged_in(client, customer_a):
    client.force_login(customer_a.user)
    return client


@pytest.fixture
def history_of_a(customer_a):
    """Customer A's single-zone meter: the fixture's reading of 25.10.2026 (no consumption:
    nothing to subtract) plus one from the meter reading system and a rejected one."""
    meter = customer_a.meter
    ReadingFactory(
        meter=meter,
        read_on=dt.date(2026, 9, 25),
        value=Decimal("1100.2500"),
        consumption=Decimal("100.2500"),
        source=Reading.Source.ASKUE,
        status=Reading.Status.TAKEN,
    )
    ReadingFactory(
        meter=meter,
        read_on=dt.date(2026, 11, 20),
        value=Decimal("1000"),
        consumption=None,
        status=Reading.Status.REJECTED,
        rejection_reason=REASON,
    )
    return meter


@pytest.fixture
def two_zone_meter(customer_a):
    """A day/night meter at another point of customer A's object, with known consumption."""
    meter = MeterFactory(
        metering_point__consumption_object=customer_a.meter.metering_point.consumption_object,
        tariff_zones=TariffZones.TWO,
        transformation_ratio=10,
    )
    rows = [
        # (date, zone, consumption, status)
        (dt.date(2024, 11, 30), Zone.DAY, "999", "accepted"),  # 25 months ago: not shown
        (dt.date(2024, 12, 1), Zone.DAY, "11", "taken"),  # the first month shown
        (dt.date(2026, 10, 5), Zone.DAY, "100.5", "taken"),
        (dt.date(2026, 10, 25), Zone.DAY, "50.25", "accepted"),  # October: 150.75
        (dt.date(2026, 10, 5), Zone.NIGHT, "40", "taken"),
        (dt.date(2026, 10, 25), Zone.NIGHT, "20", "accepted"),  # October: 60
        (dt.date(2026, 10, 26), Zone.NIGHT, "5000", "rejected"),  # does not count
        (dt.date(2026, 11, 20), Zone.NIGHT, None, "accepted"),  # after a replacement: nothing
        (dt.date(2026, 11, 21), Zone.DAY, "7", "accepted"),
    ]
    for day, zone, consumption, status in rows:
        ReadingFactory(
            meter=meter,
            zone=zone,
            read_on=day,
            value=Decimal("500"),
            consumption=None if consumption is None else Decimal(consumption),
            status=status,
            rejection_reason=REASON if status == "rejected" else "",
        )
    return meter


def _history(client, meter, **params):
    return client.get(reverse("readings:history", args=[meter.pk]), params)


def _export(client, meter, **params):
    return client.get(reverse("readings:history_export", args=[meter.pk]), params)


def _chart(response) -> dict:
    match = re.search(
        r'<script id="consumption-chart-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "no chart data block"
    return json.loads(match[1])


def _table_rows(response) -> list[str]:
    body = response.content.decode()
    table = re.search(r'<table[^>]*data-testid="history".*?</table>', body, re.S)[0]
    rows = re.findall(r"<tr\b[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


# -- The page ------------------------------------------------------------------------------------


def test_page_lists_readings_newest_first_with_labels(logged_in, history_of_a):
    response = _history(logged_in, history_of_a)
    assert response.status_code == 200
    body = response.content.decode()
    assert "История показаний" in body
    assert history_of_a.serial_number in body
    assert reverse("customers:meter_detail", args=[history_of_a.pk]) in body  # the breadcrumb
    rows = _table_rows(response)
    assert rows == [
        # The meter's two decimals, digits grouped (the narrow space reads as a space here).
        f"20.11.2026 Сутки 1 000,00 — Клиент Отклонено: {REASON}",
        "25.10.2026 Сутки 1 234,50 — Клиент Принято",
        "25.09.2026 Сутки 1 100,25 100,25 АСКУЭ Учтено биллингом",
    ]
    export = reverse("readings:history_export", args=[history_of_a.pk])
    assert f'href="{export}?format=csv"' in body
    assert f'href="{export}?format=xlsx"' in body


def test_page_loads_the_chart_scripts_as_files_only(logged_in, history_of_a):
    body = _history(logged_in, history_of_a).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", body)
    for tag in scripts:
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    sources = [re.search(r'src="([^"]+)"', tag)[1] for tag in scripts if "src=" in tag]
    chartjs = next(i for i, s in enumerate(sources) if "vendor/chartjs/chart.umd.min" in s)
    charts = next(i for i, s in enumerate(sources) if "lkk/charts." in s)
    assert chartjs < charts
    assert 'data-chart="consumption-chart-data"' in body
    assert not re.search(r"\son\w+=", body)


def test_zone_labels_of_a_multi_zone_meter(logged_in, two_zone_meter):
    rows = _table_rows(_history(logged_in, two_zone_meter))
    assert rows[0].startswith("21.11.2026 Т1 (День) 500,00 7,00 ")
    assert rows[1].startswith("20.11.2026 Т2 (Ночь) 500,00 — ")
    # Registers of one date in the meter's order: Т1 before Т2.
    assert rows[3].startswith("25.10.2026 Т1 (День)")
    assert rows[4].startswith("25.10.2026 Т2 (Ночь)")


def test_chart_data_sums_consumption_by_month_and_zone(logged_in, two_zone_meter):
    chart = _chart(_history(logged_in, two_zone_meter))
    assert chart["type"] == "bar"
    assert chart["unit"] == "кВт·ч"
    labels = chart["labels"]
    assert len(labels) == history.MONTHS == 24
    assert labels[0] == "дек 2024"
    assert labels[-2:] == ["окт 2026", "ноя 2026"]
    day, night = chart["datasets"]
    assert day["label"] == "Т1 (День)"
    assert night["label"] == "Т2 (Ночь)"
    assert day["data"][0] == 11
    assert day["data"][-2:] == [150.75, 7]
    assert night["data"][-2:] == [60, None]  # the rejected 5000 does not count
    assert day["data"][1:-2] == [None] * 21
    assert night["data"][:-2] == [None] * 22


def test_monthly_table_repeats_the_chart(logged_in, two_zone_meter):
    body = _history(logged_in, two_zone_meter).content.decode()
    table = re.search(r'<table[^>]*data-testid="monthly".*?</table>', body, re.S)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))
    assert "Т1 (День)" in text and "Т2 (Ночь)" in text
    assert "Октябрь 2026 150,75 60,00" in text
    assert "Ноябрь 2026 7,00 —" in text
    assert "Декабрь 2024 11,00 —" in text


def test_monthly_consumption_selector(customer_a, two_zone_meter):
    monthly = history.monthly_consumption(
        user=customer_a.user, meter=two_zone_meter, today=dt.date(2026, 11, 22)
    )
    assert monthly.months[0] == dt.date(2024, 12, 1)
    assert monthly.months[-1] == dt.date(2026, 11, 1)
    assert monthly.zones == [Zone.DAY, Zone.NIGHT]
    assert monthly.totals[Zone.DAY][-2] == Decimal("150.75")
    assert monthly.totals[Zone.NIGHT][-2] == Decimal("60")
    assert not monthly.is_empty
    # Over a year boundary: 12 months back from January.
    january = history.monthly_consumption(
        user=customer_a.user, meter=two_zone_meter, today=dt.date(2027, 1, 3), months=3
    )
    assert january.months == [dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
    assert january.totals[Zone.DAY] == [Decimal("7"), None, None]


def test_a_zone_of_an_earlier_tariff_is_shown_by_name(logged_in, customer_a):
    meter = customer_a.meter  # single-zone now, but had a night register once
    ReadingFactory(
        meter=meter, zone=Zone.NIGHT, read_on=dt.date(2026, 3, 1), consumption=Decimal("3")
    )
    response = _history(logged_in, meter)
    assert "01.03.2026 Ночь" in " ".join(_table_rows(response))
    labels = [d["label"] for d in _chart(response)["datasets"]]
    assert labels == ["Сутки", "Ночь"]


def test_page_without_consumption_has_no_chart(logged_in, customer_a):
    body = _history(logged_in, customer_a.meter).content.decode()
    assert "За последние два года расхода нет." in body
    assert "data-chart=" not in body


def test_pagination(logged_in, customer_a, settings):
    settings.LKK_PAGE_SIZE = 5
    for day in range(1, 13):
        ReadingFactory(meter=customer_a.meter, read_on=dt.date(2026, 1, day))
    first = _history(logged_in, customer_a.meter)
    assert len(_table_rows(first)) == 5
    assert _table_rows(first)[0].startswith("25.10.2026")
    assert "Страница 1 из 3" in first.content.decode()
    last = _history(logged_in, customer_a.meter, page=3)
    assert [r[:10] for r in _table_rows(last)] == ["03.01.2026", "02.01.2026", "01.01.2026"]
    # A page past the end or not a number shows the last or the first page, never an error.
    assert _table_rows(_history(logged_in, customer_a.meter, page=99)) == _table_rows(last)
    assert _table_rows(_history(logged_in, customer_a.meter, page="x")) == _table_rows(first)


# -- The download --------------------------------------------------------------------------------


def test_csv_for_russian_excel(logged_in, history_of_a):
    response = _export(logged_in, history_of_a)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="readings-{history_of_a.serial_number}.csv"'
    )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Дата", "Зона", "Показание", "Расход, кВт·ч", "Источник", "Статус", "Причина отклонения"],
        ["20.11.2026", "Сутки", "1000", "", "Клиент", "Отклонено", REASON],
        ["25.10.2026", "Сутки", "1234,5", "", "Клиент", "Принято", ""],
        ["25.09.2026", "Сутки", "1100,25", "100,25", "АСКУЭ", "Учтено биллингом", ""],
    ]
    assert _export(logged_in, history_of_a, format="csv").content == raw


def test_csv_text_never_runs_as_a_formula(logged_in, customer_a):
    ReadingFactory(
        meter=customer_a.meter,
        read_on=dt.date(2026, 11, 1),
        status=Reading.Status.REJECTED,
        rejection_reason='=HYPERLINK("http://evil.example","x")',
    )
    rows = list(
        csv.reader(
            io.StringIO(_export(logged_in, customer_a.meter).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert rows[1][6] == '\'=HYPERLINK("http://evil.example","x")'


def test_xlsx_has_dates_and_numbers(logged_in, history_of_a):
    from openpyxl import load_workbook

    response = _export(logged_in, history_of_a, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="readings-{history_of_a.serial_number}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Дата",
        "Зона",
        "Показание",
        "Расход, кВт·ч",
        "Источник",
        "Статус",
        "Причина отклонения",
    )
    assert rows[1] == (
        dt.datetime(2026, 11, 20),
        "Сутки",
        1000,
        None,
        "Клиент",
        "Отклонено",
        REASON,
    )
    assert rows[3] == (
        dt.datetime(2026, 9, 25),
        "Сутки",
        1100.25,
        100.25,
        "АСКУЭ",
        "Учтено биллингом",
        None,
    )
    assert len(rows) == 4
    date_cell, value_cell, consumption_cell = sheet["A4"], sheet["C4"], sheet["D4"]
    assert date_cell.is_date and date_cell.number_format == "DD.MM.YYYY"
    assert value_cell.data_type == "n" and value_cell.number_format == "#,##0.00"
    assert consumption_cell.data_type == "n"


def test_xlsx_text_never_runs_as_a_formula(logged_in, customer_a):
    from openpyxl import load_workbook

    ReadingFactory(
        meter=customer_a.meter,
        read_on=dt.date(2026, 11, 1),
        status=Reading.Status.REJECTED,
        rejection_reason="=1+1",
    )
    sheet = load_workbook(
        io.BytesIO(_export(logged_in, customer_a.meter, format="xlsx").content)
    ).active
    assert sheet["G2"].value == "=1+1"
    assert sheet["G2"].data_type == "s"


@pytest.mark.parametrize("kind", ["pdf", "", "CSV", "../etc"])
def test_unknown_format_is_not_found(logged_in, customer_a, kind):
    assert _export(logged_in, customer_a.meter, format=kind).status_code == 404


def test_odd_serial_numbers_make_a_safe_file_name(logged_in, customer_a):
    meter = customer_a.meter
    meter.serial_number = 'A/B "12"; x'
    meter.save()
    response = _export(logged_in, meter)
    assert response["Content-Disposition"] == 'attachment; filename="readings-A_B_12_x.csv"'


# -- Cost ---------------------------------------------------------------------------------------

#: route → queries: session, user, grants (with the header's counterparty names), the meter, then
#: the route's own: the page's rows with their count (one query) and the monthly sums; the
#: download's rows.
QUERIES = {
    ("readings:history", ""): 6,
    ("readings:history_export", "csv"): 5,
    ("readings:history_export", "xlsx"): 5,
}


def _with_readings(customer_a, count: int):
    meter = MeterFactory(
        metering_point__consumption_object=customer_a.meter.metering_point.consumption_object,
        tariff_zones=TariffZones.THREE,
    )
    zones = meter.zones
    Reading.objects.bulk_create(
        Reading(
            meter=meter,
            zone=zones[i % 3],
            read_on=dt.date(2026, 11, 1) - dt.timedelta(days=i // 3),
            value=Decimal(i),
            consumption=Decimal(i % 7),
            source=Reading.Source.ASKUE,
        )
        for i in range(count)
    )
    return meter


@pytest.mark.parametrize(("name", "kind"), sorted(QUERIES))
def test_query_count_is_fixed(client, customer_a, name, kind):
    client.force_login(customer_a.user)
    params = {"format": kind} if kind else {}
    for count in (3, 300):
        meter = _with_readings(customer_a, count)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name, args=[meter.pk]), params)
        assert response.status_code == 200
        assert len(ctx.captured_queries) == QUERIES[(name, kind)], (count, ctx.captured_queries)


# -- Isolation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["readings:history", "readings:history_export"])
def test_another_customer_gets_not_found(client, customer_a, customer_b, name):
    client.force_login(customer_b.user)
    url = reverse(name, args=[customer_a.meter.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, {"format": "xlsx"}).status_code == 404
    assert client.get(url, {"format": "bogus"}).status_code == 404
    assert client.post(url).status_code == 404
    assert customer_a.meter.serial_number not in client.get(url).content.decode()


@pytest.mark.parametrize("name", ["readings:history", "readings:history_export"])
def test_anonymous_is_sent_to_login(client, customer_a, name):
    response = client.get(reverse(name, args=[customer_a.meter.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["readings:history", "readings:history_export"])
def test_the_owner_cannot_post(logged_in, customer_a, name):
    assert logged_in.post(reverse(name, args=[customer_a.meter.pk])).status_code == 405
