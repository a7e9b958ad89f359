"""«Финансы» and «Документы» in a real browser (B1, B2): the balance, the chart, an invoice."""

from __future__ import annotations

import datetime as dt
import io
import re

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
