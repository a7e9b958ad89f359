"""Applications in a real browser (Q1–Q4, O1, N1): a customer files a complaint with a file,
an operator takes it, asks for information, the customer answers, the operator completes it,
and the customer follows every step in «Поданные заявки» and «Уведомления»."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

PASSWORD = "correct-horse-42"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Войти", exact=True).click()


@pytest.fixture
def people(transactional_db):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lkk.accounts.services import roles_ensure
    from lkk.customers.models import AccessGrant
    from lkk.customers.tests.factories import ContractFactory, UserFactory

    contract = ContractFactory(number="77-0001", counterparty__short_name="ООО «Альфа»")
    customer = UserFactory(username="alfa")
    AccessGrant.objects.create(user=customer, counterparty=contract.counterparty)
    operator = UserFactory(username="oper", is_staff=True)
    operator.groups.add(roles_ensure())
    device = TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    return customer, operator, device


def test_a_complaint_from_filing_to_completion(
    page: Page, browser: Browser, live_server, people, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    _customer, _operator, device = people
    act = tmp_path / "акт.pdf"
    act.write_bytes(PDF)

    # The customer files a complaint with a file.
    _log_in(page, "alfa")
    page.locator("header").get_by_role("link", name="Заявки").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Поданные заявки")
    page.get_by_test_id("new-application").click()
    page.get_by_test_id("kind-complaint").click()
    page.get_by_label("Договор").select_option(label="77-0001 — ООО «Альфа»")
    page.get_by_label("Предмет").select_option(label="Качество электроэнергии")
    page.get_by_label("Текст обращения").fill("Скачки напряжения по вечерам")
    page.get_by_label("Документы").set_input_files(str(act))
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("status")).to_have_text("Подана")
    number = page.get_by_test_id("number").inner_text()
    assert number.startswith("З-")

    # The operator takes it into work and asks for information.
    staff = browser.new_context(base_url=live_server.url, locale="ru-RU")
    office = staff.new_page()
    try:
        _log_in(office, "oper")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        office.get_by_label("Код из приложения").fill(f"{code:06d}")
        office.get_by_role("button", name="Подтвердить").click()
        office.wait_for_url("**/backoffice/")
        office.locator("header").get_by_role("link", name="Заявки и обращения").click()
        office.get_by_role("link", name=number).click()
        with office.expect_download() as download:
            office.get_by_role("link", name="акт.pdf").click()
        assert download.value.suggested_filename == "акт.pdf"
        office.get_by_test_id("assign-me").click()
        expect(office.get_by_test_id("assignee")).to_have_text("oper")
        office.get_by_label("Новый статус").select_option(label="В работе")
        office.get_by_test_id("change-status").click()
        office.get_by_label("Новый статус").select_option(label="Нужна информация")
        office.get_by_label("Комментарий (причина отказа, какая информация нужна)").fill(
            "Укажите дни и часы"
        )
        office.get_by_test_id("change-status").click()
        expect(office.get_by_test_id("status")).to_have_text("Нужна информация")

        # The customer sees the notice and answers.
        page.goto("/")
        expect(page.get_by_test_id("unread-count")).to_contain_text("3")
        page.get_by_test_id("menu-notifications").click()
        expect(page.get_by_text(f"Заявка {number}: нужна информация")).to_be_visible()
        page.goto("/applications/")
        row = page.get_by_test_id("application-row").filter(has_text=number)
        expect(row.get_by_test_id("application-status")).to_have_text("Нужна информация")
        row.get_by_role("link", name=number).click()
        expect(page.get_by_test_id("needs-info")).to_be_visible()
        page.get_by_label("Сообщение").fill("По будням с 18 до 22 часов")
        page.get_by_test_id("send-message").click()
        expect(page.get_by_test_id("status")).to_have_text("В работе")

        # The operator answers and completes it.
        office.reload()
        expect(office.get_by_text("По будням с 18 до 22 часов")).to_be_visible()
        office.get_by_label("Сообщение").fill("Напряжение восстановлено")
        office.get_by_test_id("send-reply").click()
        office.get_by_label("Новый статус").select_option(label="Выполнена")
        office.get_by_test_id("change-status").click()
        expect(office.get_by_test_id("status")).to_have_text("Выполнена")
    finally:
        staff.close()

    # The customer sees the final status, the answer and every notice.
    page.goto("/applications/")
    row = page.get_by_test_id("application-row").filter(has_text=number)
    expect(row.get_by_test_id("application-status")).to_have_text("Выполнена")
    page.get_by_test_id("menu-notifications").click()
    for step in ("подана", "в работе", "нужна информация", "ответ оператора", "выполнена"):
        expect(page.get_by_text(f"Заявка {number}: {step}").first).to_be_visible()
    page.get_by_text(f"Заявка {number}: ответ оператора").first.click()
    expect(page.get_by_text("Напряжение восстановлено")).to_be_visible()
