"""The phone layout and the menu (issue 8, point 5) in a real browser.

Below 576 px every table is a list of cards (one card per row, one «column: value» line per
cell), or, for a narrow table of numbers, scrolls inside its own box with its first column kept
in view; no page scrolls sideways at 360 px; the reading values of «Последние показания» on
«Главная» are on the screen. From 1200 px, where the menu stops folding, it fits one line.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journey import log_in

PHONE = {"width": 360, "height": 740}
#: The text of an element, without CSS-generated content (a card's column name): its left and
#: right edges in the viewport.
TEXT_EDGES = """e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  const box = range.getBoundingClientRect();
  return [box.left, box.right];
}"""


def _no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px > {width}px"


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_phone_shows_the_readings_and_no_page_scrolls_sideways(demo, page: Page) -> None:
    from django.contrib.auth import get_user_model

    from lkk.customers.models import ConsumptionObject, Contract, Meter, MeteringPoint

    user = get_user_model().objects.get(username="ul_demo")
    contract = Contract.objects.visible_to(user).order_by("number").first()
    obj = ConsumptionObject.objects.visible_to(user).filter(contract=contract).first()
    point = MeteringPoint.objects.visible_to(user).filter(consumption_object=obj).first()
    meter = Meter.objects.visible_to(user).filter(metering_point=point).first()

    log_in(page, "ul_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    _no_sideways_scroll(page)
    # «Последние показания»: every row's reading value is on the screen, not off its right edge.
    table = page.locator("main table").filter(has=page.locator("th", has_text="Показания"))
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(10)
    for index in range(rows.count()):
        value = rows.nth(index).locator("td").last
        expect(value).to_contain_text(re.compile(r"Сутки: \d"))
        left, right = value.evaluate(TEXT_EDGES)
        assert 0 <= left < right <= PHONE["width"], (
            f"row {index + 1}: the reading value is at {left:.0f}–{right:.0f} px, "
            f"outside the {PHONE['width']} px screen"
        )

    for path in (
        "/counterparties/",
        f"/counterparties/{contract.counterparty_id}/",
        "/contracts/",
        f"/contracts/{contract.pk}/",
        "/objects/",
        f"/objects/{obj.pk}/",
        "/points/",
        f"/points/{point.pk}/",
        "/meters/",
        f"/meters/{meter.pk}/",
        f"/readings/meter/{meter.pk}/history/",
        "/readings/",
        f"/readings/contract/{contract.pk}/",
        "/readings/upload/",
        "/accounts/profile/",
        "/accounts/binding/",
    ):
        page.goto(path)
        _no_sideways_scroll(page)

    # A narrow table of numbers stays a table on a phone, its first column kept in view.
    page.goto(f"/contracts/{contract.pk}/")
    charges = page.locator("main table").filter(has=page.locator("th", has_text="Период"))
    expect(charges.get_by_role("columnheader", name="Сумма, ₽")).to_be_visible()
    first_cell = charges.locator("tbody tr").first.locator("td").first
    assert first_cell.evaluate("e => getComputedStyle(e).position") == "sticky"


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_big_customer_lists_on_a_phone(demo, page: Page) -> None:
    """300 contracts, 3000 meters: cards, a search, a sort that needs no table head, pages."""
    from lkk.customers.models import Meter

    meters = Meter.objects.filter(metering_point__contract__counterparty__billing_id="DEMO-BIG")
    last_serial = meters.order_by("-serial_number").values_list("serial_number", flat=True)[0]

    log_in(page, "big_demo")
    page.goto("/meters/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Приборы учёта")
    cards = page.locator("main table tbody tr")
    expect(cards).to_have_count(25)
    _no_sideways_scroll(page)
    card = cards.first
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(card.locator("td").nth(1)).to_have_attribute("data-label", "Тип")
    expect(page.get_by_role("columnheader", name="Заводской номер")).to_be_hidden()

    # The order, chosen without the (hidden) table head.
    page.get_by_label("Порядок").select_option(label="Заводской номер — по убыванию")
    page.get_by_role("button", name="Применить").click()
    expect(cards.first.locator("td").first).to_contain_text(last_serial)
    expect(page.get_by_label("Порядок")).to_have_value("-serial")
    page.get_by_role("link", name="Вперёд").click()
    expect(page.get_by_text("Страница 2 из")).to_be_visible()
    expect(page.get_by_label("Порядок")).to_have_value("-serial")
    _no_sideways_scroll(page)

    page.locator("main").get_by_role("searchbox").fill(last_serial)
    page.get_by_role("button", name="Найти").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_be_in_viewport()


#: How many lines the text of an element takes.
#: Lines of visible text in an element: the middles of its text's boxes, more than a line's
#: height apart, are on different lines (a badge's box starts lower than the text beside it, and
#: a visually hidden label has a box of 1 px, which is not text anyone sees).
TEXT_LINES = """e => {
  const lineHeight = parseFloat(getComputedStyle(e).lineHeight) || 24;
  const range = document.createRange();
  range.selectNodeContents(e);
  const middles = Array.from(range.getClientRects())
    .filter(r => r.width > 1 && r.height > 1)
    .map(r => (r.top + r.bottom) / 2);
  if (!middles.length) return 0;
  return 1 + Math.floor((Math.max(...middles) - Math.min(...middles)) / lineHeight);
}"""


def test_menu_fits_one_line_from_1200_px(demo, page: Page) -> None:
    log_in(page, "ul_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    items = page.locator("#menu .navbar-nav > .nav-item > .nav-link")
    for width in (1280, 1200):
        page.set_viewport_size({"width": width, "height": 800})
        expect(page.get_by_role("button", name="Меню")).to_be_hidden()
        labels = items.all_inner_texts()
        boxes = [items.nth(i).bounding_box() for i in range(items.count())]
        assert len(boxes) >= 5 and all(boxes)
        tops = {round(box["y"]) for box in boxes}
        heights = {round(box["height"]) for box in boxes}
        assert len(tops) == 1, f"at {width} px the menu takes several lines: {labels} at {tops}"
        assert len(heights) == 1, f"at {width} px a menu label wraps: {labels}, {heights}"
        lines = [items.nth(i).evaluate(TEXT_LINES) for i in range(items.count())]
        assert lines == [1] * len(lines), f"at {width} px: lines of {labels}: {lines}"
        assert max(box["x"] + box["width"] for box in boxes) <= width
