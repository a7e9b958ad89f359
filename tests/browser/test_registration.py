"""Registration by ИНН and contract number (A1, seed 000) in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PASSWORD = "Зелёный-слон-2024"


def _filler():
    """A filler counterparty of the demo data (nobody is registered for it) and its contracts."""
    from lkk.customers.models import Contact, Contract, Counterparty

    cp = Counterparty.objects.get(billing_id="CP-000001")
    contracts = list(Contract.objects.filter(counterparty=cp).order_by("number"))
    email = Contact.objects.get(contract=contracts[0], kind="email").value
    return cp, contracts, email


def _fill(page: Page, inn: str, number: str, contact: str) -> None:
    page.goto("/accounts/register/")
    page.get_by_role("link", name="По договору (ИНН и номер договора)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Регистрация в личном кабинете небытового потребителя"
    )
    page.get_by_label("ИНН потребителя").fill(inn)
    page.get_by_label("Номер договора энергоснабжения").fill(number)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("Адрес электронной почты или номер мобильного телефона").fill(contact)
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Регистрация", exact=True).click()


def test_register_by_contract(demo, page: Page, settings) -> None:
    settings.DEMO_MODE = True
    cp, contracts, email = _filler()
    active = [c for c in contracts if c.is_active]
    assert len(active) >= 2

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Регистрация").click()
    _fill(page, cp.inn, contracts[0].number, email)
    expect(page.get_by_text("Его нужно использовать в течение 10 минут.")).to_be_visible()

    page.goto("/dev/outbox/")
    body = page.get_by_test_id("dev-outbox-body").first.inner_text()
    code = re.search(r"\b(\d{6})\b", body).group(1)
    page.go_back()
    page.goto("/accounts/register/code/")
    page.get_by_label("Код подтверждения").fill(code)
    page.get_by_role("button", name="Подтвердить").click()

    login = f"{cp.inn}{contracts[0].number}"
    box = page.get_by_test_id("generated-login")
    expect(box).to_contain_text(login)
    expect(box).to_contain_text(
        "Сохраните логин: он будет использоваться при входе в личный кабинет."
    )

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(login)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    # Seed 000's way (one contract number) opens every active contract of the counterparty.
    expect(page.get_by_test_id("contracts").locator(".fw-semibold")).to_have_text(
        [f"Договор № {contract.number}" for contract in active]
    )


def test_registration_errors(demo, page: Page) -> None:
    cp, contracts, email = _filler()
    _fill(page, cp.inn, "000000000", email)
    expect(page.get_by_test_id("register-errors")).to_have_text(
        "Ошибка регистрации! Контрагент не найден!"
    )
    _fill(page, cp.inn, contracts[0].number, "nobody@example.ru")
    expect(page.get_by_text("Ошибка регистрации! Телефон (email) не найден!")).to_be_visible()
