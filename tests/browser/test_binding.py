"""«Привязать договор» (A9, seed 003) and the counterparty switcher (A10) in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from lkk.core.demo import DEMO_PASSWORD


def _filler():
    """A filler counterparty of the demo data, its first contract and that contract's email."""
    from lkk.customers.models import Contact, Contract, Counterparty

    cp = Counterparty.objects.get(billing_id="CP-000001")
    contracts = list(Contract.objects.filter(counterparty=cp).order_by("number"))
    contract = next((c for c in contracts if c.is_active), contracts[0])
    email = Contact.objects.get(contract=contract, kind="email").value
    return cp, contract, email


def test_bind_a_contract_then_switch(demo, page: Page, settings) -> None:
    from lkk.customers.models import Counterparty

    settings.DEMO_MODE = True
    own = Counterparty.objects.filter(access_grants__user__username="ip_demo").get()
    cp, contract, email = _filler()
    assert re.fullmatch(r"energo\d{5}\.\d+@example\.ru", email)

    page.goto("/accounts/login/")
    page.locator("#id_username").fill("ip_demo")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    expect(page.get_by_test_id("counterparty-switcher")).to_have_count(0)

    page.get_by_role("link", name="Профиль").first.click()
    page.get_by_role("link", name="Привязать договор").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Привязать договор")
    page.get_by_label("ИНН потребителя").fill(cp.inn)
    page.get_by_label("Номер договора энергоснабжения").fill(contract.number)
    page.get_by_label("Адрес электронной почты или номер мобильного телефона").fill(email)
    page.get_by_role("button", name="Получить код").click()
    expect(page.get_by_text("Его нужно использовать в течение 10 минут.")).to_be_visible()

    page.goto("/dev/outbox/")
    body = page.get_by_test_id("dev-outbox-body").first.inner_text()
    code = re.search(r"\b(\d{6})\b", body).group(1)
    page.goto("/accounts/binding/code/")
    page.get_by_label("Код подтверждения").fill(code)
    page.get_by_role("button", name="Подтвердить").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    expect(page.get_by_text("привязаны к вашему личному кабинету")).to_be_visible()
    switcher = page.get_by_test_id("counterparty-switcher")
    select = switcher.locator("select")
    expect(select.locator("option")).to_have_text(
        ["Все контрагенты", *sorted([own.short_name, cp.short_name])]
    )
    expect(page.locator("main").get_by_text(contract.number).first).to_be_visible()

    select.select_option(label=cp.short_name)
    switcher.get_by_role("button", name="Выбрать").click()
    expect(page.get_by_test_id("who").locator("select option:checked")).to_have_text(cp.short_name)
    expect(page.get_by_test_id("who").locator(".lkk-who-category")).to_have_text(
        cp.kind_abbreviation
    )
    page.goto("/contracts/")
    expect(page.locator("main").get_by_text(contract.number).first).to_be_visible()
    own_numbers = list(own.contracts.values_list("number", flat=True))
    for number in own_numbers:
        expect(page.locator("main").get_by_text(number, exact=True)).to_have_count(0)

    select = page.get_by_test_id("counterparty-switcher").locator("select")
    select.select_option(label="Все контрагенты")
    page.get_by_test_id("counterparty-switcher").get_by_role("button", name="Выбрать").click()
    page.goto("/contracts/")
    for number in [*own_numbers, contract.number]:
        expect(page.locator("main").get_by_text(number).first).to_be_visible()
