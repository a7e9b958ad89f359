"""R1–R4: reports built in the background; every amount equals the database's sum."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from lkk.billing.models import Charge, Payment
from lkk.core.formats import parse_number
from lkk.customers.access import scopes_disabled
from lkk.notifications.models import Notification
from lkk.readings.models import Reading
from lkk.reports import builders, services
from lkk.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _order(client, django_capture_on_commit_callbacks, customer, kind, **extra) -> Report:
    data = {"kind": kind, "counterparty": customer.counterparty.pk, "start": "2026-01-01",
            "end": "2026-10-31", **extra}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def _totals(html: str) -> list[Decimal]:
    return [parse_number(v) for v in re.findall(r'data-testid="report-total">([^<]*)<', html)]


def _pdf_text(content: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def _money_in(text: str) -> list[Decimal]:
    return [parse_number(m) for m in re.findall(r"\d{1,3}(?:[\u00a0\u202f]\d{3})*(?:,\d+)?", text)]


def test_consumption_report_equals_the_readings(
    client, money_a, django_capture_on_commit_callbacks
):
    from lkk.customers.tests.factories import ReadingFactory

    for month in range(1, 13):
        for day, status in ((10, "accepted"), (15, "taken"), (20, "rejected")):
            ReadingFactory(
                meter=money_a.meter, read_on=dt.date(2026 - (month > 10), month, day),
                status=status, consumption=Decimal(f"{month * 100 + 17}.25"),
                value=Decimal(month * 1000 + day),
                rejection_reason="меньше предыдущего" if status == "rejected" else "",
            )  # fmt: skip
    client.force_login(money_a.user)
    report = _order(client, django_capture_on_commit_callbacks, money_a, "consumption")
    assert report.status == "done" and report.progress == 100
    with scopes_disabled():
        expected = Reading.objects.filter(
            meter__metering_point__contract=money_a.contract,
            read_on__gte=dt.date(2026, 1, 1), read_on__lte=dt.date(2026, 10, 31),
            consumption__isnull=False,
        ).exclude(status="rejected").aggregate(s=Sum("consumption"))["s"] or Decimal(0)  # fmt: skip
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert _totals(html) == [expected, expected]
    xlsx = client.get(reverse("reports:download", args=[report.pk]), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[-1][0] == "Итого" and Decimal(str(rows[-1][1])) == expected
    assert sum(Decimal(str(r[1])) for r in rows[1:-1]) == expected
    pdf = client.get(reverse("reports:download", args=[report.pk]), {"format": "pdf"})
    text = _pdf_text(b"".join(pdf.streaming_content))
    assert "Отчёт о потреблении" in text
    # The totals row is «Итого <sum>»; the sum is formatted as on the page.
    from lkk.core.formats import number

    assert f"Итого {number(expected)}" in text.replace("\n", " ")
    notice = Notification.objects.get(user=money_a.user, topic="reports")
    assert f"№ {report.pk} готов" in notice.title


def test_settlement_sums_and_closing_balance(client, money_a, django_capture_on_commit_callbacks):
    client.force_login(money_a.user)
    report = _order(client, django_capture_on_commit_callbacks, money_a, "settlement",
                    end="2026-11-30")  # fmt: skip
    with scopes_disabled():
        charges = Charge.objects.filter(
            contract=money_a.contract, period__gte=dt.date(2026, 1, 1)
        ).aggregate(s=Sum("amount"))["s"]
        paid = Payment.objects.filter(
            contract=money_a.contract, paid_on__gte=dt.date(2026, 1, 1)
        ).aggregate(s=Sum("amount"))["s"]
    data = report.result["sections"][0]
    total = data["total"]
    assert Decimal(total[4]["d"]) == charges and Decimal(total[6]["d"]) == paid
    # The closing balance of the last month is billing's balance now.
    assert Decimal(data["rows"][-1][7]["d"]) == money_a.contract.balance
    # A month's closing = the previous month's closing − charged + paid.
    rows = data["rows"]
    for before, after in itertools.pairwise(rows):
        assert Decimal(after[7]["d"]) == (
            Decimal(before[7]["d"]) - Decimal(after[4]["d"]) + Decimal(after[6]["d"])
        )
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert _totals(html)[:4] == [
        Decimal(total[2]["d"]), charges, Decimal(total[5]["d"]), paid
    ]  # fmt: skip


def test_tariff_report_lists_the_components(client, money_a, django_capture_on_commit_callbacks):
    client.force_login(money_a.user)
    report = _order(client, django_capture_on_commit_callbacks, money_a, "tariff")
    rows = report.result["sections"][0]["rows"]
    assert len(rows) == 10
    assert all(Decimal(r[-1]["d"]) == Decimal("8.16667") for r in rows)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Сбытовая надбавка" in html


def test_bad_orders_are_refused_by_field(client, money_a):
    client.force_login(money_a.user)
    url = reverse("reports:new")
    response = client.post(url, {"kind": "consumption", "counterparty": money_a.counterparty.pk,
                                 "start": "2026-10-01", "end": "2026-01-01"})  # fmt: skip
    assert "Конец периода раньше его начала." in response.content.decode()
    response = client.post(url, {"kind": "consumption", "counterparty": money_a.counterparty.pk,
                                 "start": "2020-01-01", "end": "2026-01-01"})  # fmt: skip
    assert "не больше 36 месяцев" in response.content.decode()
    response = client.post(url, {"kind": "x", "counterparty": 999, "start": "a", "end": ""})
    assert response.status_code == 200 and not Report.objects.exists()


def test_a_failed_report_says_so_and_retries(client, money_a, monkeypatch,
                                            django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(money_a.user)

    def broken(*args, **kwargs):
        raise RuntimeError("биллинг недоступен")

    monkeypatch.setitem(builders.BUILDERS, "consumption", broken)
    report = _order(client, django_capture_on_commit_callbacks, money_a, "consumption")
    assert report.status == "failed"
    html = client.get(reverse("reports:list")).content.decode()
    assert "Повторить" in html and 'data-testid="report-failed"' in html
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:retry", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "done" and report.xlsx


def test_a_report_is_closed_once_its_contract_is_no_longer_granted(
    client, money_a, django_capture_on_commit_callbacks
):
    from lkk.customers.models import AccessGrant

    client.force_login(money_a.user)
    report = _order(client, django_capture_on_commit_callbacks, money_a, "consumption")
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 200
    grant = AccessGrant.objects.get(user=money_a.user)
    from lkk.customers.tests.factories import ContractFactory

    other = ContractFactory(counterparty=money_a.counterparty)
    grant.all_contracts = False
    grant.save()
    grant.contracts.add(other)
    for name in ("reports:download", "reports:detail"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404


def test_expired_reports_are_purged(client, money_a, django_capture_on_commit_callbacks, settings):
    client.force_login(money_a.user)
    report = _order(client, django_capture_on_commit_callbacks, money_a, "tariff")
    path = report.xlsx.path
    with time_machine.travel(
        dt.datetime(2026, 11, 20, 12, 0) + dt.timedelta(days=settings.REPORTS_KEEP_DAYS - 1)
    ):
        assert services.reports_purge() == 0
    with time_machine.travel(
        dt.datetime(2026, 11, 20, 12, 0) + dt.timedelta(days=settings.REPORTS_KEEP_DAYS + 1)
    ):
        assert services.reports_purge() == 1
    import os

    assert not Report.objects.exists() and not os.path.exists(path)


def test_report_list_query_count_is_fixed(client, money_a, django_capture_on_commit_callbacks):
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    client.force_login(money_a.user)
    _order(client, django_capture_on_commit_callbacks, money_a, "tariff")
    counts = []
    for _round in range(2):
        with CaptureQueriesContext(connections["default"]) as queries:
            assert client.get(reverse("reports:list")).status_code == 200
        counts.append(len(queries.captured_queries))
        for _n in range(5):
            _order(client, django_capture_on_commit_callbacks, money_a, "tariff")
    assert counts[0] == counts[1] > 0
