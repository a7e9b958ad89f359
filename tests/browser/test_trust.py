"""The trust rule (A5, issue 7) in a real browser: identifiers alone never open anyone's data.

Who knows a counterparty's ИНН, ОГРН, ОГРНИП, СНИЛС and ФИО (all public or easy to learn) and
registers with an email of their own gets a request in the operators' queue, not the account.
The owner, whose email billing lists, is let in at once and sees exactly the counterparty's
contracts. An operator (password and TOTP) reads the attached доверенность and grants only the
contracts chosen; an operator also issues an account at the office (A2a), which its owner
activates from the link sent to a contact on file.
"""

from __future__ import annotations

import re
import zlib

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from lkk.core.demo import DEMO_PASSWORD

PASSWORD = "Зелёный-слон-2024"
PHONE = "+79161234567"
PHONE_VIEWPORT = {"width": 360, "height": 740}
#: The demo customers whose counterparties are taken over, by legal form.
OWNERS = {"ul": "DEMO-UL", "ip": "DEMO-IP", "fl": "DEMO-FL"}
OWNER_LOGINS = {"ul": "ul_demo", "ip": "ip_demo", "fl": "fl_demo"}
FORM_LINKS = {
    "ul": "Юридическое лицо",
    "ip": "Индивидуальный предприниматель",
    "fl": "Физическое лицо",
}


@pytest.fixture
def site(demo, settings, monkeypatch, tmp_path) -> None:
    """The demo data, the demo outbox page, the captcha's test answer «PASSED», and uploaded
    documents kept in this test's own directory."""
    from captcha.conf import settings as captcha_settings

    settings.DEMO_MODE = True
    settings.LKK_VERIFICATION_POLICY = "auto"
    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Helpers ------------------------------------------------------------------------------------


def _owner(kind: str):
    """The demo counterparty of this legal form and its contracts (all active)."""
    from lkk.customers.models import Counterparty

    cp = Counterparty.objects.get(billing_id=OWNERS[kind])
    contracts = list(cp.contracts.order_by("number"))
    assert contracts and all(c.is_active for c in contracts)
    return cp, contracts


def _email_on_file(contract) -> str:
    from lkk.customers.models import Contact

    return Contact.objects.get(contract=contract, kind="email").value


def _identifiers(kind: str, cp) -> dict[str, str]:
    if kind == "ul":
        return {"ИНН": cp.inn, "ОГРН": cp.ogrn}
    if kind == "ip":
        return {"ОГРНИП": cp.ogrnip}
    return {"СНИЛС": cp.snils}


def _fio(cp) -> list[str]:
    return cp.name.removeprefix("Индивидуальный предприниматель").split()


def _register(page: Page, kind: str, cp, email: str, documents: list[dict] | None = None) -> None:
    """Fills «Регистрация: …» with the counterparty's identifiers (and ФИО) and this email."""
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Регистрация", exact=True).click()
    page.get_by_test_id("register-ways").get_by_role(
        "link", name=FORM_LINKS[kind], exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Регистрация: {FORM_LINKS[kind]}")
    for label, value in _identifiers(kind, cp).items():
        page.get_by_role("textbox", name=label, exact=True).fill(value)
    if kind in ("ip", "fl"):
        last, first, *middle = _fio(cp)
        page.get_by_role("textbox", name="Фамилия", exact=True).fill(last)
        page.get_by_role("textbox", name="Имя", exact=True).fill(first)
        page.get_by_role("textbox", name="Отчество", exact=True).fill(" ".join(middle))
        page.get_by_role("textbox", name="Номер мобильного телефона", exact=True).fill(PHONE)
    page.get_by_role("textbox", name="Адрес электронной почты", exact=True).fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    if documents:
        page.get_by_label("Документы (доверенность, выписка, скан)").set_input_files(documents)
    page.get_by_role("textbox", name="Я не робот: введите код с картинки").fill("PASSED")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Зарегистрироваться", exact=True).click()
    expect(page.get_by_text("Его нужно использовать в течение 10 минут.")).to_be_visible()


def _outbox_body(page: Page, recipient: str, subject: str = "") -> str:
    """The newest message of the demo outbox to this recipient (and with this subject)."""
    page.goto("/dev/outbox/")
    rows = page.get_by_test_id("dev-outbox").locator("tbody tr").filter(has_text=recipient)
    if subject:
        rows = rows.filter(has_text=subject)
    return rows.first.get_by_test_id("dev-outbox-body").inner_text()


def _confirm(page: Page, email: str) -> None:
    """The code of the message, typed on the code page."""
    code = re.search(r"\b(\d{6})\b", _outbox_body(page, email)).group(1)
    page.goto("/accounts/register/code/")
    page.get_by_label("Код подтверждения").fill(code)
    page.get_by_role("button", name="Подтвердить").click()


def _log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Войти", exact=True).click()


def _operator_opens(page: Page, path: str) -> None:
    """The demo operator opens a back-office page: the login, then the TOTP code, then the page."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    operator = get_user_model().objects.get(username="operator")
    device = TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    page.context.clear_cookies()
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в личный кабинет")
    page.locator("#id_username").fill("operator")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти", exact=True).click()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Код из приложения").fill(f"{code:06d}")
    page.get_by_role("button", name="Подтвердить").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def _home_contracts(page: Page):
    """The contract titles of «Главная» («Действующие договоры»)."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    return page.get_by_test_id("contracts").locator(".fw-semibold")


def _titles(contracts) -> list[str]:
    return [f"Договор № {c.number}" for c in contracts]


def _no_horizontal_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px > {width}px"


def _pdf(text: str) -> bytes:
    """A small but real one-page PDF with a line of text (objects, xref table, trailer)."""
    content = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode("ascii")
    stream = zlib.compress(content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# --- (a) The takeover by identifiers goes to the queue -----------------------------------------


@pytest.mark.parametrize("kind", ["ip", "ul", "fl"])
def test_takeover_by_identifiers_goes_to_the_queue(
    site, page: Page, django_user_model, kind: str
) -> None:
    from lkk.accounts.models import RegistrationRequest
    from lkk.customers.models import AccessGrant

    cp, contracts = _owner(kind)
    attacker = f"mallory-{kind}@example.org"
    assert not any(_email_on_file(c) == attacker for c in contracts)

    _register(page, kind, cp, attacker)
    _confirm(page, attacker)

    expect(page.get_by_role("heading", level=1)).to_have_text("Заявка передана на проверку")
    expect(page.get_by_test_id("register-pending")).to_contain_text("не указан в договоре")
    expect(page.get_by_test_id("who")).to_have_count(0)

    # The account does not exist until an operator approves: the login fails as any other.
    _log_in(page, attacker, PASSWORD)
    expect(page.get_by_text("Неверный логин или пароль.")).to_be_visible()
    expect(page.get_by_test_id("who")).to_have_count(0)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в личный кабинет")

    assert not django_user_model.objects.filter(email=attacker).exists()
    assert not django_user_model.objects.filter(username=attacker).exists()
    holders = AccessGrant.objects.filter(counterparty=cp).values_list("user__username", flat=True)
    assert list(holders) == [OWNER_LOGINS[kind]]
    req = RegistrationRequest.objects.get(contact=attacker)
    assert (req.state, req.contact_on_file, req.counterparty_id) == ("pending", False, cp.pk)


def test_takeover_by_binding_is_refused(site, page: Page) -> None:
    """An attacker with an account of their own cannot bind someone else's contract with an
    email that is not in it (A9 is verified as A1 is)."""
    from lkk.customers.models import AccessGrant

    cp, contracts = _owner("ip")
    _log_in(page, "ul_demo", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Главная")
    page.goto("/accounts/binding/")
    page.get_by_label("ИНН потребителя").fill(cp.inn)
    page.get_by_label("Номер договора энергоснабжения").fill(contracts[0].number)
    page.get_by_label("Адрес электронной почты или номер мобильного телефона").fill(
        "ul_demo@example.ru"
    )
    page.get_by_role("button", name="Получить код").click()
    expect(page.get_by_text("Этот телефон (email) не указан в договоре.")).to_be_visible()
    assert not AccessGrant.objects.filter(counterparty=cp, user__username="ul_demo").exists()
    page.goto("/contracts/")
    expect(page.locator("main").get_by_text(contracts[0].number)).to_have_count(0)


# --- (b) The owner's email on file: access at once ----------------------------------------------


@pytest.mark.parametrize("kind", ["ul", "ip", "fl"])
def test_owner_with_the_email_on_file_is_let_in_at_once(site, page: Page, kind: str) -> None:
    cp, contracts = _owner(kind)
    email = _email_on_file(contracts[0])

    _register(page, kind, cp, email)
    _confirm(page, email)

    expect(_home_contracts(page)).to_have_text(_titles(contracts))
    expect(page.get_by_test_id("who").locator(".lkk-who-counterparty")).to_have_text(cp.short_name)
    body = _outbox_body(page, email, "Уведомление о предоставлении прав доступа")
    assert f"Логин: {email}" in body

    page.context.clear_cookies()
    _log_in(page, email, PASSWORD)
    expect(_home_contracts(page)).to_have_text(_titles(contracts))


# --- (c) A доверенность, the operator's check and the contracts the operator chose ------------


def test_operator_reads_the_power_of_attorney_and_grants_chosen_contracts(
    site, page: Page, django_user_model
) -> None:
    cp, contracts = _owner("ul")
    assert len(contracts) == 3
    chosen, left_out = contracts[:2], contracts[2]
    email = "buhgalter@example.org"
    pdf = _pdf("Doverennost No. 7: buhgalter@example.org acts for the company")

    _register(
        page,
        "ul",
        cp,
        email,
        documents=[{"name": "доверенность.pdf", "mimeType": "application/pdf", "buffer": pdf}],
    )
    _confirm(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Заявка передана на проверку")
    expect(page.get_by_text("Приложенные документы: доверенность.pdf")).to_be_visible()
    assert not django_user_model.objects.filter(email=email).exists()

    # The operator: the queue, the request, the document.
    _operator_opens(page, "/backoffice/registrations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Заявки на регистрацию")
    page.get_by_test_id("moderation-queue").get_by_role("link", name=email).click()
    expect(page.get_by_test_id("contact")).to_contain_text("нет в данных биллинга")
    expect(page.get_by_test_id("billing")).to_contain_text(cp.name)
    link = page.get_by_test_id("documents").get_by_role("link", name="доверенность.pdf")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "доверенность.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == pdf

    # Only the contracts the доверенность covers.
    page.get_by_label("Только выбранные договоры").check()
    for contract in chosen:
        page.get_by_role("checkbox", name=contract.number, exact=True).check()
    page.get_by_role("checkbox", name=left_out.number, exact=True).uncheck()
    page.get_by_test_id("approve").click()
    expect(page.get_by_text("Заявка одобрена.")).to_be_visible()
    expect(page.get_by_test_id("moderation-queue")).to_contain_text("Заявок на проверке нет.")

    body = _outbox_body(page, email, "Уведомление о предоставлении прав доступа")
    assert f"Логин: {email}" in body

    page.context.clear_cookies()
    _log_in(page, email, PASSWORD)
    expect(_home_contracts(page)).to_have_text(_titles(chosen))
    response = page.goto(f"/contracts/{left_out.pk}/")
    assert response is not None and response.status == 404
    page.goto("/contracts/")
    expect(page.locator("main").get_by_text(left_out.number)).to_have_count(0)
    for contract in chosen:
        expect(page.locator("main").get_by_text(contract.number).first).to_be_visible()


# --- (d) The account issued at the office (A2a) -------------------------------------------------


def test_office_issued_account_is_activated_from_the_link(
    site, page: Page, browser, live_server
) -> None:
    from lkk.customers.models import Contact, Counterparty

    cp = Counterparty.objects.get(billing_id="CP-000001")
    contracts = list(cp.contracts.order_by("number"))
    assert len(contracts) == 3 and all(c.is_active for c in contracts)
    chosen = [contracts[0], contracts[2]]
    contact = Contact.objects.get(contract=contracts[1], kind="email").value

    _operator_opens(page, "/backoffice/accounts/issue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Выдать доступ к личному кабинету")
    page.get_by_label("ИНН контрагента").fill(cp.inn)
    page.get_by_role("button", name="Найти").click()
    page.get_by_test_id("office-found").get_by_role("link", name=cp.short_name).click()
    form = page.get_by_test_id("office-form")
    expect(form).to_contain_text(cp.name)
    expect(form.get_by_label("Только выбранные договоры")).to_be_checked()
    for contract in chosen:
        form.get_by_role("checkbox", name=re.compile(rf"^{contract.number} ")).check()
    form.get_by_label("Контакт из данных биллинга для ссылки активации").select_option(contact)
    form.get_by_role("button", name="Выдать доступ").click()
    expect(page.get_by_test_id("office-issued")).to_contain_text(f"Логин {contact}")

    # The customer, on a phone, opens the link of the message and sets the password.
    customer = browser.new_context(
        viewport=PHONE_VIEWPORT, base_url=live_server.url, locale="ru-RU"
    )
    try:
        phone = customer.new_page()
        body = _outbox_body(phone, contact, "Доступ к личному кабинету")
        assert PASSWORD not in body and "парол" in body
        link = re.search(r"https?://\S+/accounts/activate/\?t=\S+", body).group(0)
        phone.goto(link)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Активация личного кабинета")
        _no_horizontal_scroll(phone)
        phone.locator("#id_password1").fill(PASSWORD)
        phone.locator("#id_password2").fill(PASSWORD)
        phone.locator("#id_consent").check()
        phone.get_by_role("button", name="Задать пароль и войти").click()

        expect(phone.get_by_test_id("generated-login")).to_contain_text(contact)
        phone.get_by_role("link", name="Перейти в личный кабинет").click()
        expect(_home_contracts(phone)).to_have_text(_titles(chosen))
        _no_horizontal_scroll(phone)

        # The link is used up.
        phone.context.clear_cookies()
        phone.goto(link)
        phone.locator("#id_password1").fill(PASSWORD)
        phone.locator("#id_password2").fill(PASSWORD)
        phone.locator("#id_consent").check()
        phone.get_by_role("button", name="Задать пароль и войти").click()
        expect(phone.get_by_test_id("activate-errors")).to_be_visible()
        expect(phone.get_by_test_id("who")).to_have_count(0)

        _log_in(phone, contact, PASSWORD)
        expect(_home_contracts(phone)).to_have_text(_titles(chosen))
    finally:
        customer.close()
