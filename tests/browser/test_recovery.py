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


def test_recovery_by_login_and_email(transactional_db, page: Page, settings) -> None:
    """Seed 003: «введите логин и адрес электронной почты, указанные при регистрации»."""
    from lkk.customers.tests.factories import UserFactory

    settings.DEMO_MODE = True
    UserFactory(username="kuznetsov", email="kuznetsov@example.ru")

    page.goto("/accounts/password/reset/")
    page.get_by_label("Логин, email, телефон или ИНН").fill("kuznetsov")
    page.get_by_label("Email из учётной записи").fill("Kuznetsov@Example.ru")
    page.get_by_role("button", name="Сбросить пароль").click()
    expect(page.get_by_test_id("recovery-sent")).to_have_text(
        "Если учётная запись найдена, мы отправили код на указанные в ней контакты."
    )
    confirm_url = page.url

    page.goto("/dev/outbox/")
    body = page.get_by_test_id("dev-outbox-body").first.inner_text()
    code = re.search(r"\b([0-9]{6})\b", body).group(1)

    page.goto(confirm_url)
    page.get_by_label("Код из сообщения").fill(code)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Изменить пароль").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_contain_text("Пароль изменён. Войдите с новым паролем.")


def test_recovery_asks_for_the_captcha_after_three_requests(transactional_db, page: Page) -> None:
    for identifier in ["first", "second", "third"]:
        page.context.clear_cookies()
        page.goto("/accounts/password/reset/")
        expect(page.get_by_test_id("captcha")).to_have_count(0)
        page.get_by_label("Логин, email, телефон или ИНН").fill(identifier)
        page.get_by_role("button", name="Сбросить пароль").click()
        expect(page.get_by_test_id("recovery-sent")).to_be_visible()

    page.context.clear_cookies()
    page.goto("/accounts/password/reset/")
    captcha = page.get_by_test_id("captcha")
    expect(captcha).to_be_visible()
    expect(captcha.locator("img[data-captcha-image]")).to_be_visible()
    page.wait_for_function(
        "() => { const img = document.querySelector('img[data-captcha-image]');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    page.get_by_label("Логин, email, телефон или ИНН").fill("fourth")
    page.get_by_role("button", name="Сбросить пароль").click()
    expect(page.get_by_test_id("captcha")).to_be_visible()
    expect(page.get_by_test_id("recovery-sent")).to_have_count(0)
