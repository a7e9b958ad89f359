"""«Финансы» and «Документы» in a real browser (B1, B2): the balance, the chart, an invoice."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.test_journey import log_in


def test_customer_opens_finance_and_downloads_an_invoice(demo, page: Page) -> None:
    from lkk.billing.models import Document
    from lkk.customers.access import scopes_disabled
    from lkk.customers.models import Contract

    with scopes_disabled():
        contract = Contract.objects.filter(counterparty__billing_id="DEMO-UL").order_by("pk")[0]
        invoice = Document.objects.filter(contract=contract, kind="invoice").latest("issued_on")

    log_in(page, "ul_demo")
    page.get_by_test_id("menu-money").first.click()
    page.get_by_role("link", name="Начисления и платежи").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Финансы")
    page.get_by_role("link", name=contract.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(contract.number)
    expect(page.get_by_test_id("charges-total")).to_be_visible()
    # The chart is drawn by charts.js from the JSON block (no inline script).
    expect(page.locator("canvas[data-chart=finance-kwh-data]")).to_have_attribute(
        "style", re.compile("height")
    )

    page.get_by_role("link", name="Документы по договору").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Документы")
    with page.expect_download() as info:
        page.locator(f"a[href='/finance/documents/{invoice.pk}/']").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    text = PdfReader(io.BytesIO(download.path().read_bytes())).pages[0].extract_text()
    assert f"№ {invoice.number}" in text


def test_customer_builds_a_consumption_report_and_finds_it_in_my_reports(demo, page: Page):
    log_in(page, "ul_demo")
    page.get_by_test_id("menu-money").first.click()
    page.get_by_role("link", name="Заказать отчёт").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Заказать отчёт")
    page.get_by_label("Отчёт о потреблении").check()
    page.get_by_role("button", name="Сформировать").click()
    # Built at once in the embedded default (eager Celery): the page shows it done.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Отчёт о потреблении №")
    expect(page.get_by_test_id("report-done")).to_be_visible()
    expect(page.get_by_test_id("report-section").first).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX").first.click()
    assert info.value.suggested_filename.endswith(".xlsx")
    page.get_by_role("link", name="Мои отчёты").first.click()
    expect(page.get_by_test_id("reports")).to_contain_text("Отчёт о потреблении")
    expect(page.get_by_test_id("reports").get_by_test_id("report-done")).to_be_visible()


def test_progress_bar_moves_while_a_report_is_built(demo, page: Page):
    """A report still running: the bar polls its status and the page turns to «Готов»."""

    from lkk.accounts.models import User
    from lkk.customers.models import Counterparty
    from lkk.reports.models import Report

    user = User.objects.get(username="ul_demo")
    report = Report.objects.create(
        owner=user, counterparty=Counterparty.objects.get(billing_id="DEMO-UL"),
        kind="tariff", params={"start": "2026-01-01", "end": "2026-06-01", "contracts": []},
        status="running", progress=40, expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    log_in(page, "ul_demo")
    page.goto(f"/reports/{report.pk}/")
    bar = page.get_by_test_id("report-progress")
    expect(bar).to_have_attribute("aria-valuenow", "40")
    Report.objects.filter(pk=report.pk).update(progress=70)
    expect(bar).to_have_attribute("aria-valuenow", "70")
    from lkk.reports.services import report_build

    Report.objects.filter(pk=report.pk).update(status="queued")
    report_build(report.pk)
    expect(page.get_by_test_id("report-done")).to_be_visible()


def test_big_customer_orders_a_3000_point_report_and_downloads_it(demo, page: Page, settings):
    """R4 as the big business customer lives it: all 300 contracts and 3,000 points over 12
    months, built in the background (the embedded default: a thread), the bar moving, then
    XLSX and PDF from «Мои отчёты» with the database's total."""
    import time
    from decimal import Decimal

    from openpyxl import load_workbook

    from lkk.billing.selectors import month_end
    from lkk.core.templatetags.numbers import number
    from lkk.customers.access import scopes_disabled
    from lkk.customers.models import MeteringPoint
    from lkk.readings.models import Reading
    from lkk.reports import render as report_render
    from lkk.reports.models import Report

    settings.LKK_REPORTS_IN_THREAD = True  # the embedded default (pytest turns it off)
    slow = 300_000  # ms: the machine is shared and 3,000 points × 12 months take a while
    with scopes_disabled():
        points = MeteringPoint.objects.filter(contract__counterparty__billing_id="DEMO-BIG")
        assert points.count() == 3000

    log_in(page, "big_demo")
    page.get_by_test_id("menu-money").first.click()
    page.get_by_role("link", name="Заказать отчёт").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Заказать отчёт")
    page.get_by_label("Отчёт о потреблении").check()
    # No contract chosen: every contract of the counterparty; the period is the last 12 months.
    started = time.monotonic()
    page.get_by_role("button", name="Сформировать").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Отчёт о потреблении №")
    bar = page.get_by_test_id("report-progress")
    expect(bar).to_be_visible()  # the request returned before the build was over
    seen = {int(bar.get_attribute("aria-valuenow") or 0)}
    assert max(seen) < 100
    while time.monotonic() - started < slow / 1000 and bar.count():
        with contextlib.suppress(PlaywrightError):  # the page reloads once the report is done
            seen.add(int(bar.get_attribute("aria-valuenow", timeout=1000) or 0))
        page.wait_for_timeout(300)
    expect(page.get_by_test_id("report-done")).to_be_visible(timeout=slow)
    took = time.monotonic() - started
    report = Report.objects.latest("pk")
    assert report.status == "done" and report.params["contracts"] == []
    print(
        f"\n3,000 points × 12 months, SQLite, thread: {took:.1f} s in the browser, "
        f"{(report.finished_at - report.created_at).total_seconds():.1f} s ordered→built; "
        f"progress seen {sorted(seen)}"
    )
    assert len(seen - {0, 100}) >= 2, seen  # the bar moved during the build

    start = dt.date.fromisoformat(report.params["start"])
    end = dt.date.fromisoformat(report.params["end"])
    assert (end.year - start.year) * 12 + end.month - start.month == 11
    with scopes_disabled():
        readings = Reading.objects.filter(
            meter__metering_point__contract__counterparty__billing_id="DEMO-BIG",
            read_on__gte=start, read_on__lte=month_end(end), consumption__isnull=False,
        ).exclude(status=Reading.Status.REJECTED)  # fmt: skip
        # Summed here as Decimal: SQLite's SUM of a decimal column goes through float.
        total = sum(readings.values_list("consumption", flat=True), Decimal(0))
        point_count = readings.values("meter__metering_point").distinct().count()
    assert total > 0 and point_count == 3000
    sections = report_render.from_json(report.result)["sections"]
    assert sections[0]["total"][-1] == sections[1]["total"][-1] == total

    page.get_by_role("link", name="Мои отчёты").first.click()
    row = page.get_by_test_id("reports").get_by_role("row").filter(has_text=f"{report.pk}")
    expect(row.get_by_test_id("report-done")).to_be_visible()
    with page.expect_download(timeout=slow) as info:
        row.get_by_role("link", name="XLSX").click()
    book = load_workbook(io.BytesIO(info.value.path().read_bytes()), read_only=True)
    sheet = book.worksheets[1]  # «По точкам учёта»
    values = [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert len(values) == 1 + 3000 + 1  # the header, a row per point, the total
    # XLSX keeps numbers as binary floats: equal to the kopeck of a kWh.
    assert abs(Decimal(str(values[-1][-1])) - total) < Decimal("0.001")
    assert abs(sum(Decimal(str(r[-1])) for r in values[1:-1]) - total) < Decimal("0.001")

    with page.expect_download(timeout=slow) as info:
        row.get_by_role("link", name="PDF").click()
    assert info.value.suggested_filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(info.value.path().read_bytes()))
    text = re.sub(r"\s", "", pdf.pages[0].extract_text())
    assert re.sub(r"\s", "", number(total)) in text
