"""«Регистрация пользователя» (seed 003): login + email, the link, then «Привязать договор»."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PASSWORD = "Зелёный-слон-2024"


def _filler():
    """A filler counterparty of the demo data, its first contract and that contract's email."""
    from lkk.customers.models import Contact, Contract, Counterparty

    cp = Counterparty.objects.get(billing_id="CP-000001")
    contracts = list(Contract.objects.filter(counterparty=cp).order_by("number"))
    contract = next((c for c in contracts if c.is_active), contracts[0])
    email = Contact.objects.get(contract=contract, kind="email").value
    return cp, contract, email


def test_sign_up_then_bind_a_contract(demo, page: Page, settings, monkeypatch) -> None:
    from captcha.conf import settings as captcha_settings

    settings.DEMO_MODE = True
    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    cp, contract, email = _filler()
    assert re.fullmatch(r"energo\d{5}\.\d+@example\.ru", email)

    page.goto("/accounts/register/")
    page.get_by_test_id("register-signup").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Регистрация пользователя")
    page.get_by_label("Логин").fill("new.user_1")
    page.get_by_label("Адрес электронной почты").fill("new.user@firm.ru")
    page.get_by_label("Номер телефона").fill("+79160001234")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_captcha_1").fill("PASSED")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_test_id("signup-sent")).to_be_visible()

    page.goto("/dev/outbox/")
    body = page.get_by_test_id("dev-outbox-body").first.inner_text()
    page.goto(re.search(r"https?://\S+", body).group(0))
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(page.get_by_text("Регистрация завершена.")).to_be_visible()

    page.get_by_role("link", name="Привязать договор").first.click()
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
    # Bound as seed 000 registers: every active contract of the counterparty, and no other.
    active = cp.contracts.filter(status="active").order_by("number")
    expect(page.get_by_test_id("contracts").locator(".fw-semibold")).to_have_text(
        [f"Договор № {c.number}" for c in active]
    )
