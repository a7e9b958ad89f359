"""S4 and T3 in a real browser: a customer answers a survey and the operator sees the result;
a visitor uses the connection calculator."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_journey import log_in, menu_link


def spaced(text: str) -> re.Pattern:
    """Text whose spaces may be any space (digit groups and units use no-break ones)."""
    return re.compile(r"\s*".join(re.escape(part) for part in text.split(" ")))


def test_customer_answers_a_survey_and_the_operator_sees_the_result(
    demo, page: Page, browser: Browser, live_server
) -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    log_in(page, "ul_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    expect(page.get_by_test_id("latest-news")).to_be_visible()
    menu_link(page, "Опросы").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Опросы")
    page.get_by_role("link", name="Качество обслуживания").click()
    # A required question left empty: the message is beside it, nothing is saved.
    page.get_by_role("button", name="Отправить ответы").click()
    expect(page.get_by_text("Ответьте на этот вопрос.").first).to_be_visible()
    form = page.get_by_test_id("survey-form")
    form.get_by_role("group", name="Оцените работу личного кабинета").get_by_label("4").check()
    page.get_by_label("Раз в месяц").check()
    page.get_by_label("Передача показаний").check()
    page.get_by_label("Оплата").check()
    page.get_by_label("Что нам улучшить?").fill("Больше графиков")
    page.get_by_role("button", name="Отправить ответы").click()
    expect(page.get_by_role("alert")).to_contain_text("Спасибо! Ваши ответы приняты.")
    expect(page.get_by_test_id("surveys")).to_contain_text("Ответ отправлен")
    page.get_by_role("link", name="Качество обслуживания").click()
    expect(page.get_by_test_id("survey-answered")).to_be_visible()

    operator = get_user_model().objects.get(username="operator")
    device = TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        staff = context.new_page()
        log_in(staff, "operator")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        staff.get_by_label("Код из приложения").fill(f"{code:06d}")
        staff.get_by_role("button", name="Подтвердить").click()
        staff.wait_for_url("**/backoffice/")
        staff.get_by_test_id("backoffice-content").click()
        staff.get_by_role("link", name="Опросы", exact=True).click()
        staff.get_by_role("link", name="Результаты Качество обслуживания").click()
        expect(staff.get_by_test_id("survey-total")).to_have_text("1 ответ")
        scale, often, used, _text = (staff.get_by_test_id("result").nth(i) for i in range(4))
        expect(scale.get_by_role("row", name="4 1 100,0")).to_be_visible()
        expect(often.get_by_role("row", name="Раз в месяц 1 100,0")).to_be_visible()
        expect(used.get_by_role("row", name="Документы 0 0,0")).to_be_visible()
        expect(staff.get_by_text("Больше графиков")).to_be_visible()
        expect(staff.locator("canvas[data-chart]").first).to_be_visible()
        with staff.expect_download() as download:
            staff.get_by_role("link", name="Скачать ответы (XLSX)").click()
        assert download.value.suggested_filename.endswith(".xlsx")
    finally:
        context.close()


def test_calculator_as_a_visitor(transactional_db, page: Page, time_machine) -> None:
    from lkk.connection.models import FixedFee, Rate

    time_machine.move_to(dt.datetime(2026, 11, 20, 12, 0), tick=True)
    start = dt.date(2026, 1, 1)
    Rate.objects.create(
        voltage="6-10", category="2", purpose="new", per_kw=Decimal("6200.00"), valid_from=start
    )
    Rate.objects.create(
        voltage="0.4", category="3", purpose="increase", per_kw=Decimal("8600.00"),
        valid_from=start,
    )  # fmt: skip
    FixedFee.objects.create(amount=Decimal("5000.00"), valid_from=start)

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Калькулятор присоединения").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Калькулятор стоимости")
    # 250 kW, 6–10 kV, category II: 250 × 6200 = 1 550 000 + 22% VAT 341 000 = 1 891 000.
    page.get_by_label("Максимальная мощность, кВт").fill("250")
    page.get_by_label("Уровень напряжения").select_option("6-10")
    page.get_by_label("Категория надёжности").select_option("2")
    page.get_by_role("button", name="Рассчитать").click()
    result = page.get_by_test_id("calculator-result")
    expect(page.get_by_test_id("cost-net")).to_have_text(spaced("1 550 000,00 ₽"))
    expect(page.get_by_test_id("cost-vat")).to_have_text(spaced("341 000,00 ₽"))
    expect(page.get_by_test_id("cost-total")).to_have_text(spaced("1 891 000,00 ₽"))
    expect(result).to_contain_text(spaced("6 200,00 ₽ за 1 кВт без НДС, действует с 01.01.2026"))
    # 12 kW at 0.4 kV, III: the fixed fee.
    page.get_by_label("Максимальная мощность, кВт").fill("12,5")
    page.get_by_label("Уровень напряжения").select_option("0.4")
    page.get_by_label("Категория надёжности").select_option("3")
    page.get_by_role("button", name="Рассчитать").click()
    expect(page.get_by_test_id("cost-total")).to_have_text(spaced("6 100,00 ₽"))
    # An increase without the power already connected: the message is beside its field.
    page.get_by_label("Увеличение мощности").check()
    page.get_by_role("button", name="Рассчитать").click()
    previous = page.get_by_label("Ранее присоединённая мощность, кВт")
    expect(previous).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Укажите ранее присоединённую мощность.")).to_be_visible()
    expect(page.get_by_test_id("calculator-result")).to_have_count(0)
    # 12.5 → 40 kW: 27.5 × 8600 = 236 500 + 52 030 = 288 530.
    previous.fill("12,5")
    page.get_by_label("Максимальная мощность, кВт").fill("40")
    page.get_by_role("button", name="Рассчитать").click()
    expect(page.get_by_test_id("cost-total")).to_have_text(spaced("288 530,00 ₽"))
    page.get_by_label("Максимальная мощность, кВт").fill("0")
    page.get_by_role("button", name="Рассчитать").click()
    expect(page.get_by_text("Мощность должна быть больше нуля.")).to_be_visible()
