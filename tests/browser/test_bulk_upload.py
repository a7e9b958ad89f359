"""A business customer with 3,000 meters passes their readings as a file (M5), in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from lkk.readings.tests.test_bulk import filled, manual_meters_within_their_digits

PASSWORD = "correct-horse-42"
UPLOAD_PATH = "/readings/upload/"
#: Data rows (0-based) spoilt on purpose: 8 bad values and 2 «ID»s of no meter of this customer.
BAD = {
    5: "abc",
    250: "12,3,4",
    777: "-5",
    1200: "двенадцать",
    1999: 1.23456789,
    2400: True,
    2700: "1.2.3",
    2998: "?",
    100: ("ID", 10**9),
    1500: ("ID", ""),
}


def test_business_customer_uploads_3000_readings(transactional_db, page: Page, settings, tmp_path):
    from lkk.customers.models import AccessGrant, Meter
    from lkk.customers.tests.factories import UserFactory
    from lkk.demo.seed import load_counterparty
    from lkk.readings.models import BulkUpload, Reading

    settings.LKK_READING_WINDOW = "1-31"
    counterparty = load_counterparty(billing_id="BIG-UPLOAD", index=73001, points=3000)
    # Every meter takes manual readings and its history fits its digits (see the helper): the
    # 3,000 rows with values are then 2,990 good ones and the 10 spoilt ones.
    manual_meters_within_their_digits(counterparty)
    assert Meter.objects.filter(counterparty=counterparty, removed_on__isnull=True).count() == 3000
    user = UserFactory(username="promtech", password=PASSWORD)
    AccessGrant.objects.create(user=user, counterparty=counterparty)

    page.goto("/accounts/login/")
    page.locator("#id_username").fill("promtech")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")

    page.goto(UPLOAD_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Загрузка показаний из файла")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачайте шаблон (.xlsx)").click()
    download = download_info.value
    assert re.fullmatch(r"pokazaniya_\d+_\d{4}-\d\d-\d\d\.xlsx", download.suggested_filename)
    content, rows = filled(Path(download.path()).read_bytes(), bad=BAD)
    assert rows == 3000
    path = tmp_path / "pokazaniya.xlsx"
    path.write_bytes(content)

    page.get_by_label("Файл с показаниями (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Загрузить", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Результат загрузки показаний", timeout=60_000
    )
    expect(page.get_by_test_id("rows-accepted")).to_have_text("Принято строк: 2990")
    expect(page.get_by_test_id("rows-rejected")).to_have_text("Отклонено строк: 10")
    rejected = page.get_by_test_id("rejected-rows").locator("tbody tr")
    expect(rejected).to_have_count(10)
    numbers = [int(n) for n in rejected.locator("td:first-child").all_inner_texts()]
    assert numbers == sorted(2 + index for index in BAD)
    reasons = rejected.locator("td:last-child").all_inner_texts()
    assert all(len(reason) > 10 for reason in reasons), reasons
    assert sum("не найден среди ваших" in reason for reason in reasons) == 2

    upload = BulkUpload.objects.get(uploaded_by=user)
    assert (upload.rows_accepted, upload.rows_rejected) == (2990, 10)
    assert (
        Reading.objects.filter(submission=upload.submission).values("meter").distinct().count()
        == 2990
    )

    page.get_by_test_id("receipt-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Квитанция №")
    expect(page.get_by_test_id("receipt").locator("tbody tr")).to_have_count(50)
