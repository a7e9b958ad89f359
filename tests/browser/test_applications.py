"""Applications in a real browser (Q1–Q4, O1, N1): a customer files a complaint with a file,
an operator takes it, asks for information, the customer answers, the operator completes it,
and the customer follows every step in «Поданные заявки» and «Уведомления»."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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


@pytest.fixture
def connection_people(transactional_db):
    """A customer without contracts yet (a new consumer) and an operator of «Операторы ТП»."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lkk.accounts.services import roles_ensure
    from lkk.applications.kinds import CONNECTION_GROUP
    from lkk.customers.models import AccessGrant
    from lkk.customers.tests.factories import CounterpartyFactory, UserFactory

    counterparty = CounterpartyFactory(short_name="ООО «Бета»")
    customer = UserFactory(username="beta")
    AccessGrant.objects.create(user=customer, counterparty=counterparty)
    operator = UserFactory(username="tp_oper", is_staff=True)
    operator.groups.add(roles_ensure(), Group.objects.get_or_create(name=CONNECTION_GROUP)[0])
    device = TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    return customer, operator, device


#: The stages after «Заявка подана»: (code, title, date the operator enters, document name).
CONNECTION_STAGES = (
    ("contract_sent", "Договор и ТУ направлены", "2027-03-05", "договор-и-ту.pdf"),
    ("contract_signed", "Договор заключён", "2027-03-19", "договор-подписан.pdf"),
    ("tu_fulfilment", "Выполнение ТУ", "2027-04-12", "уведомление-о-выполнении-ту.pdf"),
    ("connected", "Фактическое присоединение", "2027-05-06", "акт-о-присоединении.pdf"),
    ("documents_signed", "Документы подписаны", "2027-05-18", "акт-об-осуществлении-тп.pdf"),
)


def test_a_connection_application_through_all_six_stages(
    page: Page, browser: Browser, live_server, connection_people, tmp_path, settings, time_machine
) -> None:
    """T1–T4: the customer files a connection application with the plan and the title
    documents, the operator of «Операторы ТП» marks every stage with its date and document,
    the customer follows the stages, downloads a stage document, reads the notices, and rates
    the completed application once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    _customer, _operator, device = connection_people
    plan, title = tmp_path / "план.pdf", tmp_path / "выписка-егрн.pdf"
    plan.write_bytes(PDF)
    title.write_bytes(PDF)
    for _code, _title, _on, name in CONNECTION_STAGES:
        (tmp_path / name).write_bytes(PDF)

    # 1 March 2027: the customer files the application; the form links to the calculator.
    time_machine.move_to(dt.datetime(2027, 3, 1, 10, 0), tick=True)
    _log_in(page, "beta")
    page.goto("/applications/")
    page.get_by_test_id("new-application").click()
    page.get_by_test_id("kind-connection").click()
    link = page.get_by_test_id("calculator-link").get_by_role("link")
    expect(link).to_have_attribute("href", "/connection/calculator/")
    page.locator("#id_applicant").fill("ООО «Бета»")
    page.locator("#id_object_name").fill("Склад")
    page.locator("#id_object_address").fill("г. Москва, ул. Складская, д. 7")
    page.locator("#id_power_kind").select_option(label="Увеличение мощности")
    page.locator("#id_max_power_kw").fill("150")
    page.locator("#id_existing_power_kw").fill("50")
    page.locator("#id_voltage").select_option(label="10 кВ")
    page.locator("#id_reliability").select_option(label="II категория")
    page.locator("#id_plan").set_input_files(str(plan))
    page.locator("#id_title_documents").set_input_files(str(title))
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("status")).to_have_text("Подана")
    number = page.get_by_test_id("number").inner_text()
    fields = page.get_by_test_id("application-fields")
    for value in ("Увеличение мощности", "150", "10 кВ", "II категория", "ул. Складская"):
        expect(fields).to_contain_text(value)
    files = page.get_by_test_id("application-files")
    expect(files).to_contain_text("план.pdf")
    expect(files).to_contain_text("выписка-егрн.pdf")
    expect(page.get_by_test_id("stage-submitted")).to_contain_text("01.03.2027")
    expect(page.get_by_test_id("stage-contract_sent")).to_contain_text("ожидается")

    # 20 May 2027 (the sessions of March are long over): the operator takes it into work and
    # marks the five further stages with the dates they were reached and their documents.
    time_machine.move_to(dt.datetime(2027, 5, 20, 9, 0), tick=True)
    staff = browser.new_context(base_url=live_server.url, locale="ru-RU")
    office = staff.new_page()
    try:
        _log_in(office, "tp_oper")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        office.get_by_label("Код из приложения").fill(f"{code:06d}")
        office.get_by_role("button", name="Подтвердить").click()
        office.wait_for_url("**/backoffice/")
        office.locator("header").get_by_role("link", name="Заявки и обращения").click()
        office.get_by_role("link", name=number).click()
        with office.expect_download() as download:
            office.get_by_role("link", name="план.pdf").click()
        assert download.value.suggested_filename == "план.pdf"
        office.get_by_test_id("assign-me").click()
        office.get_by_label("Новый статус").select_option(label="В работе")
        office.get_by_test_id("change-status").click()
        expect(office.get_by_test_id("status")).to_have_text("В работе")
        for code_, _title, on, name in CONNECTION_STAGES:
            form = office.get_by_test_id("stage-form")
            expect(form.locator("select")).to_have_value(code_)
            form.get_by_label("Дата этапа").fill(on)
            form.get_by_label("Документы этапа").set_input_files(str(tmp_path / name))
            form.get_by_test_id("advance-stage").click()
            row = office.get_by_test_id(f"stage-{code_}")
            expect(row).to_contain_text(f"{on[8:10]}.{on[5:7]}.{on[0:4]}")
            expect(row.get_by_role("link", name=name)).to_be_visible()
        expect(office.get_by_test_id("stage-form")).to_have_count(0)
        office.get_by_label("Новый статус").select_option(label="Выполнена")
        office.get_by_test_id("change-status").click()
        expect(office.get_by_test_id("status")).to_have_text("Выполнена")
    finally:
        staff.close()

    # The customer comes back: every stage with its date and its document.
    _log_in(page, "beta")
    page.goto("/applications/")
    row = page.get_by_test_id("application-row").filter(has_text=number)
    expect(row.get_by_test_id("application-status")).to_have_text("Выполнена")
    row.get_by_role("link", name=number).click()
    for code_, stage_title, on, name in CONNECTION_STAGES:
        stage = page.get_by_test_id(f"stage-{code_}")
        expect(stage).to_contain_text(stage_title)
        expect(stage).to_contain_text(f"{on[8:10]}.{on[5:7]}.{on[0:4]}")
        expect(stage.get_by_test_id("stage-document")).to_have_text(name)
    with page.expect_download() as download:
        page.get_by_test_id("stage-connected").get_by_test_id("stage-document").click()
    assert download.value.suggested_filename == "акт-о-присоединении.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # The notices: filed, in work, each stage, done.
    page.get_by_test_id("menu-notifications").click()
    expect(page.get_by_text(f"Заявка {number}: подана")).to_be_visible()
    for _code, stage_title, _on, _name in CONNECTION_STAGES:
        expect(page.get_by_text(f"Заявка {number}: этап «{stage_title}»")).to_be_visible()
    expect(page.get_by_text(f"Заявка {number}: выполнена")).to_be_visible()

    # The rating: once. A second tab opened before the first mark is refused.
    page.goto("/applications/")
    page.get_by_role("link", name=number).click()
    detail_url = page.url
    second = page.context.new_page()
    second.goto(detail_url)
    rate = page.get_by_test_id("rate-form")
    rate.get_by_role("group", name="Качество услуги").get_by_label("5").check()
    rate.get_by_role("group", name="Доступность услуги").get_by_label("4").check()
    page.get_by_test_id("send-rating").click()
    expect(page.get_by_text("Спасибо за оценку.")).to_be_visible()
    expect(page.get_by_test_id("rating")).to_have_text(
        "Ваша оценка: качество — 5, доступность — 4."
    )
    expect(page.get_by_test_id("rate-form")).to_have_count(0)
    again = second.get_by_test_id("rate-form")
    again.get_by_role("group", name="Качество услуги").get_by_label("1").check()
    again.get_by_role("group", name="Доступность услуги").get_by_label("1").check()
    second.get_by_test_id("send-rating").click()
    expect(
        second.get_by_text("Оценить можно выполненную заявку, и только один раз.")
    ).to_be_visible()
    expect(second.get_by_test_id("rating")).to_have_text(
        "Ваша оценка: качество — 5, доступность — 4."
    )
