"""S1 and S3 as people do them: a customer books, moves and cancels a visit; an operator
publishes an outage on the street of fl_demo's house and fl_demo finds the notice."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from lkk.core.demo import DEMO_PASSWORD


def _log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти", exact=True).click()


def _log_in_operator(page: Page) -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    operator = get_user_model().objects.get(username="operator")
    device = TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    _log_in(page, "operator")
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Код из приложения").fill(f"{code:06d}")
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url("**/backoffice/")


@pytest.mark.usefixtures("demo")
def test_customer_books_moves_and_cancels_a_visit(page: Page) -> None:
    from lkk.appointments.models import Appointment

    _log_in(page, "ip_demo")
    page.get_by_test_id("menu-services").click()
    page.get_by_role("link", name="Запись на приём").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Мои записи")
    expect(page.get_by_test_id("no-upcoming")).to_be_visible()
    page.get_by_test_id("book-new").click()
    page.get_by_label("Офис обслуживания").select_option(
        label="Офис «Канищево», г. Рязань, ул. Интернациональная, д. 14"
    )
    page.get_by_role("button", name="Далее").click()
    page.get_by_label("Услуга").select_option(label="Консультация по договору")
    page.get_by_role("button", name="Далее").click()
    page.get_by_test_id("days").get_by_role("link").nth(1).click()
    page.get_by_test_id("book-form").get_by_role("radio").first.check()
    page.get_by_label("Комментарий").fill("Договор энергоснабжения")
    page.get_by_role("button", name="Записаться").click()
    expect(page.get_by_text("Вы записаны на приём.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Записан")
    booked = Appointment.objects.get(user__username="ip_demo")

    page.get_by_test_id("move").click()
    page.get_by_test_id("days").get_by_role("link").nth(2).click()
    page.get_by_test_id("move-form").get_by_role("radio").nth(1).check()
    page.get_by_role("button", name="Перенести").click()
    expect(page.get_by_text("Запись перенесена.")).to_be_visible()
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.MOVED
    moved = booked.moved_to
    assert moved.slot.starts_at > booked.slot.starts_at

    page.get_by_test_id("cancel").click()
    expect(page.get_by_text("Запись отменена.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Отменена")
    page.get_by_role("link", name="Мои записи").last.click()
    expect(page.get_by_test_id("no-upcoming")).to_be_visible()
    expect(page.get_by_test_id("past")).to_contain_text("Перенесена")
    expect(page.get_by_test_id("past")).to_contain_text("Отменена")


@pytest.mark.usefixtures("demo")
def test_operator_publishes_an_outage_and_the_customer_finds_the_notice(
    page: Page, browser, live_server
) -> None:
    from lkk.customers.models import ConsumptionObject
    from lkk.outages.addresses import split_address

    address = ConsumptionObject.objects.filter(
        contract__counterparty__billing_id="DEMO-FL"
    ).values_list("address", flat=True)[0]
    settlement, street, house = split_address(address)

    _log_in_operator(page)
    page.get_by_test_id("backoffice-menu").get_by_role("link", name="Отключения").click()
    page.get_by_test_id("outage-new").click()
    page.get_by_label("Район").fill("Центральный")
    page.get_by_label("Населённый пункт").fill(settlement)
    page.get_by_label("Улица").fill(street)
    page.get_by_label("Дома").fill(f"{house}, 200-210")
    page.get_by_label("Начало").fill("2027-03-10T09:00")
    page.get_by_label("Окончание").fill("2027-03-10T08:00")
    page.get_by_label("Причина").fill("Замена кабельной линии")
    page.get_by_label("Опубликовано").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Окончание должно быть позже начала.")).to_be_visible()
    page.get_by_label("Окончание").fill("2027-03-10T17:00")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Отключение сохранено.")).to_be_visible()

    customer = browser.new_context(base_url=live_server.url, locale="ru-RU")
    try:
        fl = customer.new_page()
        _log_in(fl, "fl_demo")
        expect(fl.get_by_test_id("unread-count")).to_be_visible()
        fl.get_by_test_id("menu-notifications").click()
        expect(fl.get_by_text("Замена кабельной линии").first).to_be_visible()
        expect(fl.get_by_text(f"{settlement}, {street}").first).to_be_visible()
        # The public search finds it by street and house, as anyone would look for it.
        fl.goto(f"/outages/?street={street.split()[-1].upper()}&house={house}")
        expect(fl.get_by_test_id("outages")).to_contain_text("Замена кабельной линии")
    finally:
        customer.close()
