"""Bulk submission of readings from an XLSX template (M5): the template, every bad file, every
reason a row is rejected, one-time tokens, fixed query counts and a 3,000-meter upload."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import threading
import time
import uuid
import zipfile
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import AutoField
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lkk.customers.models import AccessGrant, Meter, TariffZones
from lkk.customers.tests.factories import (
    ContractFactory,
    MeterFactory,
    ReadingFactory,
    UserFactory,
)
from lkk.demo.seed import load_counterparty
from lkk.readings import bulk
from lkk.readings.models import BulkUpload, Reading, Submission

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 20)
ID = bulk.COLUMN["ID"]


@pytest.fixture(autouse=True)
def _window(settings):
    settings.LKK_READING_WINDOW = "1-31"


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


class Shop:
    """Customer A with meters of every kind on two contracts."""

    def __init__(self, a) -> None:
        self.a = a
        self.user = a.user
        self.counterparty = a.counterparty
        self.single = a.meter  # one zone, 6 digits, 2 decimals; 1234.50 on 25.10.2026
        contract = a.contract
        self.two = MeterFactory(
            metering_point__consumption_object__contract=contract,
            metering_point__code="TPTWO",
            tariff_zones=TariffZones.TWO,
            serial_number="TWO-1",
            decimal_places=1,
        )
        for zone, value in (("day", 500), ("night", 200)):
            ReadingFactory(meter=self.two, zone=zone, value=Decimal(value))
        self.automatic = MeterFactory(
            metering_point__consumption_object__contract=contract,
            metering_point__code="TPAUTO",
            is_automatic=True,
            serial_number="AUTO-1",
        )
        # Usual consumption 100 a month: 1000, 1100, 1200.
        self.steady = MeterFactory(
            metering_point__consumption_object__contract=contract,
            metering_point__code="TPSTEADY",
            serial_number="STEADY-1",
        )
        for month, value in ((8, 1000), (9, 1100), (10, 1200)):
            ReadingFactory(
                meter=self.steady, value=Decimal(value), read_on=dt.date(2026, month, 25)
            )
        # On a second contract: a three-zone meter without history, and a point whose meter was
        # replaced (the old one's reading is not this meter's previous value).
        self.contract2 = ContractFactory(counterparty=self.counterparty, number="ZLAST")
        self.three = MeterFactory(
            metering_point__consumption_object__contract=self.contract2,
            metering_point__code="TPTHREE",
            tariff_zones=TariffZones.THREE,
            serial_number="THREE-1",
        )
        self.old = MeterFactory(
            metering_point__consumption_object__contract=self.contract2,
            metering_point__code="TPREPLACED",
            serial_number="OLD-1",
            removed_on=dt.date(2026, 9, 1),
        )
        ReadingFactory(meter=self.old, value=Decimal("9999"), read_on=dt.date(2026, 8, 25))
        self.new = MeterFactory(
            metering_point=self.old.metering_point, serial_number="NEW-1", decimal_places=0
        )

    @property
    def active(self) -> list[Meter]:
        return [self.single, self.two, self.automatic, self.steady, self.three, self.new]


@pytest.fixture
def shop(customer_a, customer_b, client) -> Shop:
    client.force_login(customer_a.user)
    return Shop(customer_a)


def row_for(meter: Meter, *values: object, confirm: object = None, meter_id=None) -> list:
    row = [None] * len(bulk.HEADERS)
    row[bulk.COLUMN["Заводской номер"]] = meter.serial_number if meter else "X"
    row[bulk.COLUMN["Код ТУ"]] = meter.metering_point.code if meter else "X"
    for column, value in zip(bulk.VALUE_COLUMNS, values, strict=False):
        row[column] = value
    row[bulk.COLUMN["Подтверждаю (да)"]] = confirm
    row[ID] = meter_id if meter_id is not None else meter.pk
    return row


def xlsx(rows: list[list], headers=bulk.HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def page_token(client, params=None) -> str:
    response = client.get(reverse("readings:bulk"), params or {})
    assert response.status_code == 200
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def post(client, counterparty, content: bytes, *, token=None, name="pokazaniya.xlsx"):
    token = token or page_token(client)
    return client.post(
        reverse("readings:bulk"),
        {
            "token": token,
            "counterparty": counterparty.pk,
            "file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        },
    )


def upload_ok(client, counterparty, rows, **kwargs) -> BulkUpload:
    response = post(client, counterparty, xlsx(rows), **kwargs)
    assert response.status_code == 302, field_errors(response)
    upload = BulkUpload.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))
    assert response.url == reverse("readings:bulk_result", args=[upload.pk])
    return upload


def field_errors(response) -> str:
    html = response.content.decode()
    found = re.findall(r'class="(?:invalid-feedback[^"]*|alert alert-danger)"[^>]*>([^<]*)<', html)
    return unescape(" ".join(found))


def reasons(upload: BulkUpload) -> dict[int, str]:
    return {r["row"]: r["reason"] for r in upload.rejected_rows}


def template_sheet(client, params=None):
    response = client.get(reverse("readings:bulk_template"), params or {})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    return response, workbook


# --- The template ----------------------------------------------------------------------------


def test_template_has_a_row_per_meter_in_service_with_previous_values(client, shop, travel):
    response, workbook = template_sheet(client)
    assert response["Content-Type"] == bulk.XLSX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert re.search(r'filename="pokazaniya_\w+_2026-11-20\.xlsx"', disposition)
    assert "no-store" in response["Cache-Control"]

    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == bulk.HEADERS
    assert "Не изменяйте" in sheet.cell(row=1, column=ID + 1).comment.text
    data = {row[ID]: row for row in rows[1:]}
    # One row per meter in service, none removed, none of customer B; by contract, then point.
    assert sorted(data) == sorted(m.pk for m in shop.active)
    assert len(rows) - 1 == len(shop.active)
    order = [(row[1], row[2]) for row in rows[1:]]
    assert order == sorted(order)
    assert [row[0] for row in rows[1:]] == list(range(1, len(shop.active) + 1))
    assert rows[-1][1] == "ZLAST"

    single = data[shop.single.pk]
    assert single[1:8] == (
        shop.a.contract.number,
        shop.single.metering_point.code,
        shop.single.metering_point.address,
        shop.single.model,
        shop.single.serial_number,
        "Однотарифный: Т1 (сутки)",
        dt.datetime(2026, 10, 25),
    )
    assert single[8:11] == (1234.5, None, None)
    assert single[11:15] == (None, None, None, None)
    two = data[shop.two.pk]
    assert two[6] == "Двухзонный: Т1 (день), Т2 (ночь)"
    assert two[8:11] == (500, 200, None)
    assert data[shop.three.pk][6] == "Трёхзонный: Т1 (пик), Т2 (ночь), Т3 (полупик)"
    assert data[shop.three.pk][7:11] == (None, None, None, None)
    # The point's last reading was the replaced meter's: not this meter's previous value.
    assert data[shop.new.pk][7:11] == (None, None, None, None)
    # АСКУЭ: listed, marked, and the mark reads as empty on upload.
    assert data[shop.automatic.pk][11] == bulk.AUTOMATIC_MARK
    assert bulk.number_text(bulk.AUTOMATIC_MARK) == ""
    assert workbook.sheetnames == [bulk.SHEET_TITLE, "Инструкция"]


def test_template_for_one_contract_and_for_someone_elses(client, shop, customer_b):
    _, workbook = template_sheet(client, {"contract": shop.contract2.pk})
    ids = [row[ID] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert ids == [shop.new.pk, shop.three.pk]  # TPREPLACED, TPTHREE
    foreign = {"contract": customer_b.contract.pk}
    assert client.get(reverse("readings:bulk_template"), foreign).status_code == 404
    foreign = {"counterparty": customer_b.counterparty.pk}
    assert client.get(reverse("readings:bulk_template"), foreign).status_code == 404
    assert client.get(reverse("readings:bulk"), foreign).status_code == 404


def test_upload_page(client, shop):
    response = client.get(reverse("readings:bulk"))
    html = response.content.decode()
    assert "Загрузка показаний из файла" in html
    template_url = reverse("readings:bulk_template") + f"?counterparty={shop.counterparty.pk}"
    assert f'href="{template_url}"' in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html and 'name="token"' in html
    assert ">Загрузить</button>" in html
    assert 'name="counterparty" id="id_choose_counterparty"' not in html  # one counterparty
    assert response["Cache-Control"].count("no-store")


def test_user_of_several_counterparties_chooses_one(client, shop, customer_b):
    other = load_counterparty(billing_id="BULK-2", index=71002, points=2)
    AccessGrant.objects.create(user=shop.user, counterparty=other)
    html = client.get(reverse("readings:bulk")).content.decode()
    assert 'id="id_choose_counterparty"' in html
    assert other.short_name in html and shop.counterparty.short_name in html
    assert customer_b.counterparty.short_name not in html
    html = client.get(reverse("readings:bulk"), {"counterparty": other.pk}).content.decode()
    assert f'<option value="{other.pk}" selected>' in html
    _, workbook = template_sheet(client, {"counterparty": other.pk})
    assert workbook.worksheets[0].max_row == 3
    # A row of the other counterparty's file does not count for this one.
    meter = Meter.objects.filter(counterparty=other).first()
    Meter.objects.filter(pk=meter.pk).update(is_automatic=False)
    upload = upload_ok(client, shop.counterparty, [row_for(meter, "999999")])
    assert "не найден среди ваших" in reasons(upload)[2]


# --- The happy path ----------------------------------------------------------------------------


def test_upload_accepts_rows_and_shows_the_result(client, shop, travel):
    rows = [
        row_for(shop.single, 1300.25),
        row_for(shop.two, "510,5", 205),
        row_for(shop.automatic),  # nothing typed: not a submission
        row_for(shop.three, 1, 2, 3),
        row_for(shop.new, 7),  # first reading after a replacement: no comparison
    ]
    rows[2][bulk.VALUE_COLUMNS[0]] = bulk.AUTOMATIC_MARK
    upload = upload_ok(client, shop.counterparty, rows)
    assert (upload.rows_total, upload.rows_accepted, upload.rows_rejected) == (4, 4, 0)
    assert upload.file_name == "pokazaniya.xlsx"
    assert upload.uploaded_by == shop.user and upload.counterparty == shop.counterparty
    submission = upload.submission
    assert submission.channel == Submission.Channel.UPLOAD and submission.token == upload.token
    written = {(r.meter_id, r.zone): r for r in submission.readings.all()}
    assert {k: r.value for k, r in written.items()} == {
        (shop.single.pk, "total"): Decimal("1300.25"),
        (shop.two.pk, "day"): Decimal("510.5"),
        (shop.two.pk, "night"): Decimal("205"),
        (shop.three.pk, "peak"): Decimal("1"),
        (shop.three.pk, "night"): Decimal("2"),
        (shop.three.pk, "half_peak"): Decimal("3"),
        (shop.new.pk, "total"): Decimal("7"),
    }
    reading = written[(shop.single.pk, "total")]
    assert reading.read_on == TODAY and reading.consumption == Decimal("65.75")
    assert reading.source == Reading.Source.CUSTOMER and reading.to_export
    assert written[(shop.new.pk, "total")].consumption is None

    html = client.get(reverse("readings:bulk_result", args=[upload.pk])).content.decode()
    assert "Принято строк: 4" in html and "Отклонено строк: 0" in html
    assert reverse("readings:receipt", args=[submission.pk]) in html
    receipt = client.get(reverse("readings:receipt", args=[submission.pk])).content.decode()
    assert shop.single.serial_number in receipt and shop.three.serial_number in receipt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12345.6, "12345.6"),
        (12345.600000000001, "12345.6"),
        (0.1 + 0.2, "0.3"),
        (12345.0, "12345"),
        (12345, "12345"),
        (1e-05, "0.00001"),
        (Decimal("12.50"), "12.50"),
        (" 12 345,6 ", "12 345,6"),
        (None, ""),
        ("АСКУЭ — не заполнять", ""),
        (-5.0, "-5"),
    ],
)
def test_number_text(value, text):
    assert bulk.number_text(value) == text


def test_a_file_kept_on_disk_by_django_reads_the_same(client, shop, travel, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # bigger uploads go to a temporary file
    upload = upload_ok(client, shop.counterparty, [row_for(shop.single, 1300)] + [[None]] * 300)
    assert upload.rows_accepted == 1


def test_template_text_never_becomes_a_formula(client, shop):
    Meter.objects.filter(pk=shop.single.pk).update(model='=HYPERLINK("http://evil")')
    _, workbook = template_sheet(client)
    cells = [c for c in workbook.worksheets[0]["E"] if c.value and str(c.value).startswith("=")]
    assert [(c.value, c.data_type) for c in cells] == [('=HYPERLINK("http://evil")', "s")]


def test_float_noise_from_excel_is_not_a_digit_too_many(client, shop, travel):
    upload = upload_ok(client, shop.counterparty, [row_for(shop.single, 1300.1 + 0.2)])
    assert upload.rows_accepted == 1
    assert upload.submission.readings.get().value == Decimal("1300.3")


# --- Files that are not the template --------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            # A fixed date: the bytes are a test id, and xdist's workers must collect the same ids.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("case", "content", "name", "message"),
    [
        ("not xlsx", b"%PDF-1.7 not a workbook", "a.pdf", "Это не файл Excel (.xlsx)"),
        ("renamed txt", "Т1;Т2\n1;2\n".encode(), "pokazaniya.xlsx", "Это не файл Excel (.xlsx)"),
        ("html", b"<html><script>alert(1)</script></html>", "a.xlsx", "Это не файл Excel"),
        ("empty", b"", "pokazaniya.xlsx", "Файл пустой."),
        ("old xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.xls", "(.xls)"),
        ("corrupt zip", b"PK\x03\x04" + b"\x00garbage" * 50, "a.xlsx", "Файл повреждён"),
        ("zip, not xlsx", _zip({"readme.txt": b"hello"}), "a.xlsx", "Файл повреждён"),
        ("truncated", "truncated", "a.xlsx", "Файл повреждён"),
        ("wrong headers", "headers", "a.xlsx", "Файл не похож на шаблон: в столбце B"),
        ("no headers", "blank", "a.xlsx", "Файл не похож на шаблон: в столбце A"),
        ("nothing filled", "unfilled", "a.xlsx", "нет ни одной строки с показаниями"),
    ],
)
def test_bad_file_is_refused_on_the_file_field(client, shop, case, content, name, message):
    if content == "truncated":
        full = xlsx([row_for(shop.single, 1300)])
        content = full[: len(full) // 2]
    elif content == "headers":
        headers = list(bulk.HEADERS)
        headers[1] = "Номер договора"
        content = xlsx([row_for(shop.single, 1300)], headers=headers)
    elif content == "blank":
        content = xlsx([], headers=[])
    elif content == "unfilled":
        content = xlsx([row_for(shop.single), row_for(shop.two)])
    response = post(client, shop.counterparty, content, name=name)
    assert response.status_code == 200
    errors = field_errors(response)
    assert message in errors
    assert 'id="id_file_error"' in response.content.decode()
    assert not BulkUpload.objects.exists()
    assert not Reading.objects.filter(submission__channel=Submission.Channel.UPLOAD).exists()


def test_too_big_file(client, shop, settings):
    settings.LKK_UPLOAD_MAX_BYTES = 2048
    content = xlsx([row_for(shop.single, 1300)] * 50)
    assert len(content) > 2048
    response = post(client, shop.counterparty, content)
    assert response.status_code == 200
    assert "Файл слишком большой" in field_errors(response)
    assert not BulkUpload.objects.exists()


def test_too_many_rows(client, shop, monkeypatch):
    monkeypatch.setattr(bulk.files, "MAX_ROWS", 5)
    response = post(client, shop.counterparty, xlsx([row_for(shop.single)] * 6))
    assert "В файле больше 5 строк" in field_errors(response)
    assert upload_ok(client, shop.counterparty, [row_for(shop.single, 1300)] * 5)


def test_too_many_rows_at_the_real_limit(shop):
    rows = [row_for(shop.single)] * bulk.MAX_ROWS + [row_for(shop.single, 1)]
    content = xlsx(rows)
    with pytest.raises(bulk.ApplicationError) as error:
        bulk.file_rows(upload=io.BytesIO(content), size=len(content))
    assert error.value.field == "file"
    assert "больше 20\u202f000 строк" in error.value.message


def test_no_file_and_forged_counterparty(client, shop, customer_b):
    token = page_token(client)
    response = client.post(
        reverse("readings:bulk"), {"token": token, "counterparty": shop.counterparty.pk}
    )
    assert "Выберите файл .xlsx с показаниями." in field_errors(response)
    response = post(client, customer_b.counterparty, xlsx([row_for(customer_b.meter, 1300)]))
    assert response.status_code == 200
    assert "Форма устарела" in field_errors(response)
    assert not BulkUpload.objects.exists()


# --- Rows that are rejected, and why --------------------------------------------------------


def test_rows_are_rejected_with_their_reasons(client, shop, customer_b, travel):
    extra = MeterFactory(
        metering_point__consumption_object__contract=shop.a.contract, serial_number="EXTRA-1"
    )
    rows = [
        row_for(extra, "12a"),  # 2
        row_for(shop.steady, 1000),  # 3: below the previous 1200
        row_for(shop.automatic, 5),  # 4
        row_for(customer_b.meter, 1300),  # 5: someone else's meter
        row_for(None, 1300, meter_id=987654321),  # 6: no such meter
        row_for(None, 1300, meter_id=""),  # 7: the ID column was cleared
        row_for(shop.two, 600),  # 8: a zone missing
        row_for(shop.new, 5, 6),  # 9: a zone the meter does not have
        row_for(shop.three, -1, 2, 3),  # 10
        row_for(shop.single, 1234.567),  # 11 … and 12: the same meter twice
        row_for(shop.single, 1300),
    ]
    upload = upload_ok(client, shop.counterparty, rows)
    assert (upload.rows_total, upload.rows_accepted, upload.rows_rejected) == (11, 0, 11)
    assert upload.submission is None
    why = reasons(upload)
    assert "Введите показание числом" in why[2]
    below = "Т1 (сутки): Показание не может быть меньше предыдущего: 1\u202f200,00 от 25.10.2026"
    assert below in why[3]
    assert "поступают автоматически (АСКУЭ)" in why[4]
    assert why[5] == "Прибор учёта не найден среди ваших."
    assert why[6] == "Прибор учёта не найден среди ваших."
    assert "Столбец «ID» пуст или изменён" in why[7]
    assert "Укажите показания по всем зонам" in why[8]
    assert "Столбцы после «Т1» оставьте пустыми" in why[9]
    assert "отрицательным" in why[10]
    assert "несколько раз (строки 11, 12)" in why[11] and why[11] == why[12]
    rejected = {r["row"]: r for r in upload.rejected_rows}
    assert rejected[3]["serial"] == "STEADY-1" and rejected[3]["point"] == "TPSTEADY"
    assert rejected[5]["serial"] == customer_b.meter.serial_number  # as typed in the file
    assert not Reading.objects.filter(read_on=TODAY).exists()

    html = client.get(reverse("readings:bulk_result", args=[upload.pk])).content.decode()
    assert "Принято строк: 0" in html and "Отклонено строк: 11" in html
    assert "Ни одна строка не принята" in html
    assert html.count("<td>Прибор учёта не найден среди ваших.</td>") == 2


def test_a_row_is_all_its_zones_or_nothing(client, shop, travel):
    rows = [row_for(shop.two, 510, 150), row_for(shop.single, 1300)]  # night below 200
    upload = upload_ok(client, shop.counterparty, rows)
    assert (upload.rows_accepted, upload.rows_rejected) == (1, 1)
    assert "Т2 (ночь): Показание не может быть меньше предыдущего" in reasons(upload)[2]
    assert not Reading.objects.filter(meter=shop.two, read_on=TODAY).exists()
    assert Reading.objects.filter(meter=shop.single, read_on=TODAY).count() == 1


def test_window_closed_rejects_every_row(client, shop, settings):
    settings.LKK_READING_WINDOW = "15-25"
    with time_machine.travel(dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(shop.user)
        assert (
            "Приём показаний открыт с 15 по 25"
            in client.get(reverse("readings:bulk")).content.decode()
        )
        upload = upload_ok(client, shop.counterparty, [row_for(shop.single, 1300)])
    assert (upload.rows_accepted, upload.rows_rejected) == (0, 1)
    assert "Приём показаний открыт с 15 по 25 число месяца" in reasons(upload)[2]
    assert "15.12.2026" in reasons(upload)[2]
    assert not Reading.objects.filter(submission__channel=Submission.Channel.UPLOAD).exists()


@pytest.mark.parametrize("word", ["да", "Да", "yes", "+", True])
def test_jump_needs_confirmation_in_the_file(client, shop, travel, word):
    upload = upload_ok(client, shop.counterparty, [row_for(shop.steady, 2000)])
    assert upload.rows_rejected == 1
    reason = reasons(upload)[2]
    assert "намного больше обычного" in reason and "напишите «да»" in reason
    upload = upload_ok(client, shop.counterparty, [row_for(shop.steady, 2000, confirm=word)])
    assert (upload.rows_accepted, upload.rows_rejected) == (1, 0)
    assert Reading.objects.get(meter=shop.steady, read_on=TODAY).value == 2000


def test_other_words_do_not_confirm(client, shop, travel):
    upload = upload_ok(client, shop.counterparty, [row_for(shop.steady, 2000, confirm="нет")])
    assert upload.rows_rejected == 1


def test_rollover_needs_confirmation(client, shop, travel):
    ReadingFactory(meter=shop.new, value=Decimal("999990"), read_on=dt.date(2026, 11, 1))
    upload = upload_ok(client, shop.counterparty, [row_for(shop.new, 5)])
    assert "перешёл через ноль" in reasons(upload)[2]
    upload = upload_ok(client, shop.counterparty, [row_for(shop.new, 5, confirm="да")])
    assert upload.rows_accepted == 1
    reading = upload.submission.readings.get()
    assert reading.rolled_over and reading.consumption == 15


def test_history_beyond_the_meters_digits_rejects_the_row_not_the_file(client, shop, travel):
    """A previous value the meter cannot show (bad billing data) is no rollover: the row is
    refused by the rules, the rest of the file is accepted."""
    ReadingFactory(meter=shop.new, value=Decimal("1003411.55"), read_on=dt.date(2026, 11, 1))
    rows = [row_for(shop.new, 0, confirm="да"), row_for(shop.single, 1300)]
    upload = upload_ok(client, shop.counterparty, rows)
    assert (upload.rows_accepted, upload.rows_rejected) == (1, 1)
    # More decimals than the meter shows: shown in full, not rounded to what the meter shows.
    assert "не может быть меньше предыдущего: 1\u202f003\u202f411,55" in reasons(upload)[2]


def test_second_upload_of_the_same_day_is_rejected_per_row(client, shop, travel):
    upload_ok(client, shop.counterparty, [row_for(shop.single, 1300)])
    again = upload_ok(client, shop.counterparty, [row_for(shop.single, 1301)])
    assert "уже переданы" in reasons(again)[2]


# --- One-time token -------------------------------------------------------------------------


def test_the_same_form_posted_twice_records_once(client, shop, travel):
    token = page_token(client)
    content = xlsx([row_for(shop.single, 1300), row_for(shop.steady, 1250)])
    first = post(client, shop.counterparty, content, token=token)
    second = post(client, shop.counterparty, content, token=token)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert BulkUpload.objects.count() == 1 and Submission.objects.filter(token=token).count() == 1
    assert Reading.objects.filter(read_on=TODAY).count() == 2
    follow = client.get(second.url)
    assert "Этот файл уже загружен" in follow.content.decode()


def test_a_token_of_someone_else_is_refused(client, shop, customer_b, travel):
    token = page_token(client)
    upload_ok(client, shop.counterparty, [row_for(shop.single, 1300)], token=token)
    client.force_login(customer_b.user)
    response = post(
        client, customer_b.counterparty, xlsx([row_for(customer_b.meter, 1300)]), token=token
    )
    assert response.status_code == 200
    assert "Форма устарела" in field_errors(response)
    assert BulkUpload.objects.count() == 1


def test_result_of_someone_else_is_404(client, shop, customer_b, travel):
    upload = upload_ok(client, shop.counterparty, [row_for(shop.single, 1300)])
    client.force_login(customer_b.user)
    assert client.get(reverse("readings:bulk_result", args=[upload.pk])).status_code == 404


# --- Query counts and size ------------------------------------------------------------------


def manual_meters_within_their_digits(counterparty) -> None:
    """Every meter takes manual readings and its history fits its digits, so that a good value
    can be written for every row: the demo seed makes a tenth of meters automatic (АСКУЭ) and
    lets a few histories run past the meter's last digit."""
    Meter.objects.filter(counterparty=counterparty).update(is_automatic=False)
    for digits in range(3, 11):
        Reading.objects.filter(
            meter__counterparty=counterparty, meter__digit_capacity=digits, value__gte=10**digits
        ).delete()


def _customer(index: int, points: int):
    counterparty = load_counterparty(
        billing_id=f"BULK-{index}", index=index, contracts=1, points=points
    )
    manual_meters_within_their_digits(counterparty)
    user = UserFactory(username=f"bulk{index}")
    AccessGrant.objects.create(user=user, counterparty=counterparty)
    return user, counterparty


def _queries(client, method: str, url: str, data=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    return len(ctx.captured_queries), response


def test_template_query_count_is_fixed(db, client, travel):
    counts = []
    for index, points in ((72001, 1), (72002, 320)):
        user, _ = _customer(index, points)
        client.force_login(user)
        count, response = _queries(client, "get", reverse("readings:bulk_template"))
        assert response.status_code == 200
        rows = load_workbook(io.BytesIO(response.content)).worksheets[0].max_row
        assert (
            rows
            == 1
            + Meter.objects.filter(
                counterparty__billing_id=f"BULK-{index}", removed_on__isnull=True
            ).count()
        )
        counts.append(count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8, counts


def filled(content: bytes, *, bad: dict[int, object] | None = None) -> tuple[bytes, int]:
    """The downloaded template with a good value in every zone of every row: the previous value
    rounded up, plus one, or — on a meter at the end of its digits — 0, confirmed as a rollover.
    `bad` replaces Т1 (or the «ID») of some data rows (0-based). Returns (file, rows)."""
    bad = bad or {}
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    ids = [row[0] for row in sheet.iter_rows(min_row=2, min_col=ID + 1, values_only=True)]
    digits = dict(Meter.objects.filter(pk__in=ids).values_list("pk", "digit_capacity"))
    count = 0
    for index, row in enumerate(sheet.iter_rows(min_row=2)):
        zones = len(re.findall(r"Т\d", row[bulk.COLUMN["Тарифность"]].value))
        for zone in range(zones):
            value = math.ceil(row[bulk.PREVIOUS_COLUMNS[zone]].value or 0) + 1
            if value >= 10 ** digits[row[ID].value]:
                value = 0
                row[bulk.COLUMN["Подтверждаю (да)"]].value = "да"
            row[bulk.VALUE_COLUMNS[zone]].value = value
        if index in bad:
            value = bad[index]
            if isinstance(value, tuple):  # ("ID", new id)
                row[ID].value = value[1]
            else:
                row[bulk.VALUE_COLUMNS[0]].value = value
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def _reading_batches(readings: int) -> int:
    fields = [f for f in Reading._meta.concrete_fields if not isinstance(f, AutoField)]
    batch = min(1000, max(connection.ops.bulk_batch_size(fields, [None] * readings), 1))
    return math.ceil(readings / batch)


def test_processing_query_count_does_not_grow_with_rows(db, client, travel):
    """Small and large files cost the same queries, but for the batches of INSERTed readings."""
    results = []
    for index, points in ((72011, 1), (72012, 330)):
        user, counterparty = _customer(index, points)
        client.force_login(user)
        content, rows = filled(client.get(reverse("readings:bulk_template")).content)
        token = page_token(client)
        data = {
            "token": token,
            "counterparty": counterparty.pk,
            "file": SimpleUploadedFile("f.xlsx", content),
        }
        count, response = _queries(client, "post", reverse("readings:bulk"), data)
        assert response.status_code == 302
        upload = BulkUpload.objects.get(token=token)
        assert upload.rows_accepted == rows, upload.rejected_rows[:3]
        readings = upload.submission.readings.count()
        results.append((count, _reading_batches(readings)))
    (small, small_batches), (large, large_batches) = results
    assert small_batches == 1
    assert large - large_batches == small - small_batches, results


def test_3000_meters_with_10_bad_rows(db, client, travel):
    user, counterparty = _customer(72021, 3000)
    client.force_login(user)
    started = time.perf_counter()
    template = client.get(reverse("readings:bulk_template"))
    template_seconds = time.perf_counter() - started
    bad: dict[int, object] = {7: "abc", 300: "12,3,4", 999: "-5", 2999: "один"}
    bad |= {100: ("ID", 10**9), 2500: ("ID", "")}
    bad |= {1500: 2000.123456, 2000: True}
    content, rows = filled(template.content, bad=bad)
    # Two rows for the same meter: both are refused.
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    sheet.cell(row=1 + 1 + 50, column=ID + 1).value = sheet.cell(
        row=1 + 1 + 51, column=ID + 1
    ).value
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    assert rows == 3000

    token = page_token(client)
    data = {
        "token": token,
        "counterparty": counterparty.pk,
        "file": SimpleUploadedFile("big.xlsx", content),
    }
    started = time.perf_counter()
    count, response = _queries(client, "post", reverse("readings:bulk"), data)
    seconds = time.perf_counter() - started
    assert response.status_code == 302, field_errors(response)

    upload = BulkUpload.objects.get(token=token)
    print(
        f"\n[{connection.vendor}] 3,000 meters: template {template_seconds:.2f} s, "
        f"upload processed in {seconds:.2f} s with {count} queries; "
        f"file {len(content) // 1024} KiB"
    )
    assert (upload.rows_total, upload.rows_accepted, upload.rows_rejected) == (3000, 2990, 10), [
        r for r in upload.rejected_rows if r["row"] - 2 not in bad
    ]
    assert len(upload.rejected_rows) == 10
    assert all(r["reason"] for r in upload.rejected_rows)
    assert [r["row"] for r in upload.rejected_rows] == sorted(
        [2 + i for i in bad] + [2 + 50, 2 + 51]
    )
    assert (
        Reading.objects.filter(submission=upload.submission).values("meter").distinct().count()
        == 2990
    )
    result = client.get(reverse("readings:bulk_result", args=[upload.pk])).content.decode()
    assert "Принято строк: 2990" in result and "Отклонено строк: 10" in result
    assert seconds < 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_upload_posted_at_once_records_once(customer_a, settings):
    """A double click for real: five threads post the same form and file at the same moment."""
    # The SQLite pass deselects this test (marker `postgres`); make test-postgres runs it.
    assert connection.vendor == "postgresql", "run: make test-postgres"
    settings.LKK_READING_WINDOW = "1-31"
    Reading.objects.filter(meter=customer_a.meter).update(read_on=dt.date(2000, 1, 1))
    content = xlsx([row_for(customer_a.meter, 1300)])
    token = str(uuid.uuid4())
    barrier = threading.Barrier(5)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def send() -> None:
        client = Client()
        client.force_login(customer_a.user)
        data = {
            "token": token,
            "counterparty": customer_a.counterparty.pk,
            "file": SimpleUploadedFile("f.xlsx", content),
        }
        try:
            barrier.wait(timeout=30)
            response = client.post(reverse("readings:bulk"), data)
            results.append((response.status_code, response.get("Location", "")))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    upload = BulkUpload.objects.get(token=token)
    assert results == [(302, reverse("readings:bulk_result", args=[upload.pk]))] * 5
    assert Reading.objects.filter(meter=customer_a.meter, value=1300).count() == 1
