"""«Финансы» and «Документы» in a real browser (B1, B2): the balance, the chart, an invoice."""

from __future__ import annotations

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
