"""Issue 8 «A finished look», the data side, in a real browser: numbers and plurals (point 4),
«Главная» and the header (6), the operator's back office (7–8), the preferences (9)."""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
from decimal import Decimal

from django_otp.oath import totp
from playwright.sync_api import Page, expect

from lkk.core.demo import DEMO_PASSWORD

NNBSP = "\u202f"  # the digit group separator
LOGIN_PATH = "/accounts/login/"


def _log_in(page: Page, username: str) -> None:
    page.goto(LOGIN_PATH)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти", exact=True).click()


# --- Point 4: numbers and plurals ------------------------------------------------------------


def _manual_meter_of(username: str, decimals: int):
    """A one-zone meter of the user's that takes typed readings, with `decimals` places."""
    from lkk.customers.models import Contract, Meter

    return (
        Meter.objects.filter(
            counterparty__access_grants__user__username=username,
            decimal_places=decimals,
            tariff_zones=1,
            is_automatic=False,
            removed_on__isnull=True,
            metering_point__contract__status=Contract.Status.ACTIVE,
        )
        .order_by("pk")
        .first()
    )


def test_readings_show_the_meters_decimals_and_the_upload_speaks_russian(
    demo, page: Page, settings, tmp_path
) -> None:
    from openpyxl import load_workbook

    from lkk.readings import bulk
    from lkk.readings.models import Reading

    settings.LKK_READING_WINDOW = "1-31"
    _log_in(page, "big_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")

    # «Последние показания»: every value with its meter's decimals, digits grouped.
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    from lkk.customers.models import Meter

    grouped = 0
    for row in rows.all():
        serial = row.locator("td").nth(1).locator("a").inner_text()
        meter = Meter.objects.get(serial_number=serial)
        shown = row.locator("td").nth(3).locator("span").all_inner_texts()
        latest = Reading.objects.filter(meter=meter).order_by("-read_on").first()
        assert latest is not None and shown, serial
        for text in shown:
            value = text.split(": ", 1)[1]
            pattern = rf"\d{{1,3}}(?:{NNBSP}\d{{3}})*" + (
                rf",\d{{{meter.decimal_places}}}" if meter.decimal_places else ""
            )
            assert re.fullmatch(pattern, value), (serial, meter.decimal_places, text)
            grouped += NNBSP in value
    assert grouped, "no value of a thousand or more on «Главная» to show the grouping"

    # The upload: a value typed with one decimal too many, refused in correct Russian.
    meter = _manual_meter_of("big_demo", 1)
    assert meter is not None, "the demo data has no 1-decimal meter taking typed readings"
    previous = Reading.objects.filter(meter=meter, zone=meter.zones[0]).latest("read_on").value
    page.goto(f"/readings/upload/?counterparty={meter.counterparty_id}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачайте шаблон (.xlsx)").click()
    workbook = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[bulk.COLUMN["ID"]].value == meter.pk:
            # What the customer sees plus what they used, with one decimal too many.
            typed = str(previous + Decimal("12.35")).replace(".", ",")
            row[bulk.VALUE_COLUMNS[0]].value = typed
            break
    else:
        raise AssertionError(f"meter {meter.pk} is not in the template")
    path = tmp_path / "pokazaniya.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    page.get_by_label("Файл с показаниями (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Загрузить", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Результат загрузки показаний")
    rejected = page.get_by_test_id("rejected-rows").locator("tbody tr")
    expect(rejected).to_have_count(1)
    expect(rejected.locator("td").last).to_contain_text("Не больше 1 знака после запятой.")


# --- Point 6: «Главная» and the header ---------------------------------------------------------


def test_home_states_the_window_the_header_names_the_person_and_quotes_nest(
    demo, page: Page, settings
) -> None:
    from django.utils import timezone

    from lkk.customers.models import Contact, Contract, Counterparty

    settings.DEMO_MODE = True  # the dev outbox, where the binding code is read
    today = timezone.localdate()
    settings.LKK_READING_WINDOW = "1-31"
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])

    _log_in(page, "ul_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    expect(page.get_by_test_id("reading-window")).to_have_text(
        re.compile(rf"Приём показаний открыт до {month_end:%d\.%m\.%Y} включительно\.")
    )
    expect(page.get_by_test_id("reading-window").get_by_role("link")).to_have_text(
        "Передать показания"
    )

    # The person (ФИО), the category, and apart from them the counterparty; never the email.
    who = page.get_by_test_id("who")
    expect(who.locator(".lkk-who-name")).to_have_text("Морозова Ольга")
    expect(who.locator(".lkk-who-category")).to_have_text("ЮЛ")
    expect(who.locator(".lkk-who-category")).to_have_attribute("title", "Юридическое лицо")
    expect(who.locator(".lkk-who-counterparty")).to_have_text("ООО «Окский хлебокомбинат»")
    expect(who).not_to_contain_text("ul_demo@example.ru")
    page.get_by_role("link", name="Профиль").first.click()
    expect(page.get_by_test_id("profile-data").locator("dd").first).to_have_text("Морозова Ольга")

    # A closed window: when the next one opens.
    if today.day <= 27:
        settings.LKK_READING_WINDOW = f"{today.day + 1}-28"
        opens = today + dt.timedelta(days=1)
    else:
        settings.LKK_READING_WINDOW = "1-1"
        opens = month_end + dt.timedelta(days=1)
    page.goto("/")
    expect(page.get_by_test_id("reading-window")).to_contain_text(
        f"Следующий приём начнётся {opens:%d.%m.%Y}."
    )
    expect(page.get_by_test_id("reading-window").get_by_role("link")).to_have_count(0)

    # Binding a counterparty whose name has quotes of its own: they nest inside the message's.
    cp = Counterparty.objects.get(billing_id="CP-000001")
    assert "«" in cp.short_name, cp.short_name
    contract = Contract.objects.filter(counterparty=cp, status="active").order_by("number")[0]
    email = Contact.objects.get(contract=contract, kind="email").value
    page.goto("/accounts/binding/")
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
    nested = cp.short_name.replace("«", "„").replace("»", "“")
    expect(page.get_by_role("alert")).to_have_text(
        f"Договоры контрагента «{nested}» привязаны к вашему личному кабинету."
    )


# --- Points 7–8: the operator's back office ----------------------------------------------------


def test_an_operator_lands_in_the_back_office_with_its_menu(demo, page: Page) -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    operator = get_user_model().objects.get(username="operator")
    device = TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    _log_in(page, "operator")
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Код из приложения").fill(f"{code:06d}")
    page.get_by_role("button", name="Подтвердить").click()

    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Бэк-офис")
    expect(page.get_by_test_id("pending-count")).to_have_text(re.compile(r"^На проверке \d+ "))
    expect(page.get_by_text("Нет действующих договоров")).to_have_count(0)
    menu = page.locator("header").get_by_role("navigation")
    for title in ("Бэк-офис", "Заявки на регистрацию", "Выдать доступ в офисе", "Данные биллинга"):
        expect(menu.get_by_role("link", name=title, exact=True)).to_be_visible()
    for title in ("Главная", "Договоры", "Точки учёта", "Передача показаний"):
        expect(menu.get_by_role("link", name=title, exact=True)).to_have_count(0)
    expect(page.get_by_test_id("who").locator(".lkk-who-category")).to_have_text("Оператор")

    menu.get_by_role("link", name="Заявки на регистрацию", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Заявки на регистрацию")
    expect(menu.get_by_role("link", name="Заявки на регистрацию")).to_have_attribute(
        "aria-current", "page"
    )
    # The customer's «Главная» has nothing for an operator: back to the back office.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/backoffice/$"))


# --- Point 9: the preferences -------------------------------------------------------------------


def test_preferences_offer_every_topic_the_portal_sends(demo, page: Page) -> None:
    _log_in(page, "fl_demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    page.get_by_role("link", name="Профиль").first.click()
    page.get_by_role("link", name="Настройки уведомлений").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Настройки уведомлений")
    boxes = page.locator("main").get_by_role("checkbox")
    expect(boxes).to_have_count(8)
    expect(page.locator("main label.form-check-label")).to_have_text(
        [
            f"{topic} — {channel}"
            for topic in ("Напоминания о показаниях", "Статусы заявок", "Отключения", "Новости")
            for channel in ("email", "SMS")
        ]
    )
    page.get_by_label("Напоминания о показаниях — SMS").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Настройки уведомлений сохранены.")).to_be_visible()
