"""The household's readings journey in a real browser (M1, M3, M4)."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.browser.test_journey import log_in


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def test_household_submits_corrects_and_sees_history(demo, page: Page, settings) -> None:
    from lkk.customers.models import Meter
    from lkk.readings.models import Reading

    settings.LKK_READING_WINDOW = "1-31"
    meter = Meter.objects.get(counterparty__billing_id="DEMO-FL", removed_on__isnull=True)
    assert meter.zones == ("day", "night"), "the demo household has a day/night meter"
    last = {
        zone: Reading.objects.filter(meter=meter, zone=zone).latest("read_on").value
        for zone in meter.zones
    }
    day, night = last["day"] + 150, last["night"] + 60

    log_in(page, "fl_demo")
    page.get_by_role("link", name="Передать показания").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Передача показаний")
    expect(page.get_by_text("Т1 (День)")).to_be_visible()
    expect(page.locator("[data-testid=previous]").first).to_be_visible()
    page.get_by_label("Т1 (День)").fill(_plain(day))
    page.get_by_label("Т2 (Ночь)").fill(_plain(night))
    page.get_by_role("button", name="Передать показания").click()

    # The receipt: a number, the values and the consumption per zone.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Квитанция №")
    expect(page.get_by_text("Показания приняты.")).to_be_visible()
    receipt = page.locator("[data-testid=receipt]")
    expect(receipt).to_contain_text("День")
    expect(receipt).to_contain_text("150")
    expect(receipt).to_contain_text("60")
    receipt_url = page.url

    # Correct the day value while billing has not taken it.
    page.get_by_role("link", name="Исправить показания").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Исправление показаний")
    page.locator("input[name^=r]").first.fill(_plain(day - 10))
    page.get_by_role("button", name="Сохранить исправление").click()
    expect(page).to_have_url(receipt_url)
    expect(page.get_by_text("Показания исправлены.")).to_be_visible()
    expect(receipt).to_contain_text("140")
    assert Reading.objects.get(meter=meter, zone="day", value=day - 10).consumption == 140

    # The history shows today's reading and draws the monthly chart.
    page.get_by_role("link", name=meter.serial_number).first.click()
    page.get_by_role("link", name="История показаний и график").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("История показаний")
    history = page.locator("[data-testid=history]")
    expect(history).to_contain_text(re.compile(r"\d{2}\.\d{2}\.\d{4}"))
    expect(history).to_contain_text("Клиент")
    canvas = page.locator("canvas[data-chart]")
    expect(canvas).to_be_visible()
    page.wait_for_function(
        "() => !!(window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]')))"
    )
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
