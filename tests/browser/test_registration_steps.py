"""Multi-step registration (A3, seed 002) under `moderated` (A5) and its approval (O1)."""

from __future__ import annotations

import re

from django_otp.oath import totp
from playwright.sync_api import Page, expect

PASSWORD = "Зелёный-слон-2024"
OPERATOR_PASSWORD = "Оператор-пароль-2024"


def _outbox_link(page: Page) -> str:
    page.goto("/dev/outbox/")
    body = page.get_by_test_id("dev-outbox-body").first.inner_text()
    return re.search(r"https?://\S+", body).group(0)


def test_three_steps_then_the_operator_approves(
    demo, page: Page, settings, monkeypatch, django_user_model
) -> None:
    from captcha.conf import settings as captcha_settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lkk.customers.models import Contract, Counterparty

    settings.LKK_VERIFICATION_POLICY = "moderated"
    settings.DEMO_MODE = True
    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    cp = Counterparty.objects.get(billing_id="CP-000001")
    contract = Contract.objects.filter(counterparty=cp).order_by("number").first()

    page.goto("/accounts/register/")
    page.get_by_test_id("register-steps").click()
    expect(page.get_by_role("heading", name="Шаг 1. Данные аккаунта")).to_be_visible()
    page.get_by_label("Логин").fill("steps-client")
    page.get_by_label("Электронная почта").fill("first@steps.ru")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    expect(page.get_by_text("Другой код")).to_be_visible()
    page.locator("#id_captcha_1").fill("PASSED")
    page.get_by_role("button", name="Следующий шаг").click()

    expect(page.get_by_role("heading", name="Шаг 2. Личная информация")).to_be_visible()
    page.locator("#id_first_name").fill("Ольга")
    page.get_by_label("Фамилия").fill("Иванова")
    page.get_by_label("Контактный телефон").fill("+79160001234")
    page.get_by_role("button", name="Следующая страница").click()

    expect(page.get_by_role("heading", name="Шаг 3. Информация о компании")).to_be_visible()
    page.get_by_label("Тип организации").select_option("ul")
    page.locator("#id_inn").fill(cp.inn)
    page.get_by_label("КПП").fill(cp.kpp)
    page.get_by_label("Наименование организации").fill(cp.name)
    page.get_by_label("Действующий контрагент").check()
    page.locator('input[name="contract_number"]').first.fill(contract.number)
    page.get_by_role("button", name="Добавить договор").click()
    expect(page.locator('input[name="contract_number"]')).to_have_count(2)

    # Edit step 1 from step 3: another email; steps 2 and 3 are kept.
    page.get_by_test_id("edit-step-1").click()
    page.get_by_label("Электронная почта").fill("client@steps.ru")
    page.locator("#id_captcha_1").fill("PASSED")
    page.get_by_role("button", name="Следующий шаг").click()
    expect(page.get_by_role("heading", name="Шаг 3. Информация о компании")).to_be_visible()
    expect(page.get_by_test_id("step-summary-1")).to_contain_text("client@steps.ru")
    expect(page.get_by_test_id("step-summary-2")).to_contain_text("Иванова")
    expect(page.locator("#id_inn")).to_have_value(cp.inn)
    expect(page.locator('input[name="contract_number"]').first).to_have_value(contract.number)
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Создать аккаунт").click()
    expect(page.get_by_test_id("steps-sent")).to_contain_text("client@steps.ru")

    page.goto(_outbox_link(page))
    expect(page.get_by_role("heading", level=1)).to_have_text("Заявка передана на проверку")
    expect(page.get_by_test_id("register-pending")).to_contain_text("передана оператору")

    # The operator: password, then the TOTP step, then the queue.
    operator = django_user_model.objects.create_user(
        username="operator-steps", password=OPERATOR_PASSWORD, is_staff=True
    )
    device = TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("operator-steps")
    page.locator("#id_password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Войти", exact=True).click()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Код из приложения").fill(f"{code:06d}")
    page.get_by_role("button", name="Подтвердить").click()
    page.goto("/backoffice/registrations/")
    page.get_by_role("link", name="steps-client").click()
    expect(page.get_by_test_id("billing")).to_contain_text(cp.inn)
    expect(page.get_by_test_id("entered")).to_contain_text(f"{contract.number} — есть в биллинге")
    # Seed 002's way asks for the contracts listed: only the entered one is ticked.
    expect(page.get_by_label("Только выбранные договоры")).to_be_checked()
    expect(page.get_by_role("checkbox", name=contract.number, exact=True)).to_be_checked()
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("moderation-queue")).to_contain_text("Заявок на проверке нет.")

    page.goto("/dev/outbox/")
    expect(page.get_by_test_id("dev-outbox").first).to_contain_text("о предоставлении прав доступа")

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("steps-client")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    expect(page.get_by_test_id("contracts").locator(".fw-semibold")).to_have_text(
        [f"Договор № {contract.number}"]
    )
