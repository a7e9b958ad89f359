"""«Забыли пароль?» in a real browser (A7, seed 004): recovery by email, then a login."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

NEW_PASSWORD = "Paper-kettle-2077"


def test_recovery_by_email(transactional_db, page: Page, settings) -> None:
    from lkk.customers.tests.factories import UserFactory

    settings.DEMO_MODE = True  # the dev outbox page, where the code can be read
    UserFactory(username="smirnova", email="smirnova@example.ru", last_name="Смирнова")

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Забыли пароль?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Восстановление пароля")
    page.get_by_label("Логин, email, телефон или ИНН").fill("smirnova@example.ru")
    page.get_by_role("button", name="Сбросить пароль").click()
    expect(page.get_by_test_id("recovery-sent")).to_have_text(
        "Если учётная запись найдена, мы отправили код на указанные в ней контакты."
    )
    expect(page.get_by_role("button", name="Отправить код ещё раз")).to_be_disabled()
    confirm_url = page.url

    page.goto("/dev/outbox/")
    body = page.get_by_test_id("dev-outbox-body").first.inner_text()
    code = re.search(r"\b([0-9]{6})\b", body).group(1)
    assert NEW_PASSWORD not in body

    page.goto(confirm_url)
    page.get_by_label("Код из сообщения").fill(code)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Изменить пароль").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_contain_text("Пароль изменён. Войдите с новым паролем.")
    page.locator("#id_username").fill("smirnova@example.ru")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_test_id("who")).to_be_visible()
