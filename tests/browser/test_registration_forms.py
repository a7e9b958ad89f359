"""Registration by legal form (A2, seed 001) in a real browser, and the resend countdown.

The email typed here is not one billing lists for the counterparty, so under the trust rule (A5)
the confirmed request goes to the operators' queue: «Заявка передана на проверку», no account
yet. Access at once with a contact on file, and the operator's side, are in test_trust.py.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from playwright.sync_api import Page, expect

PASSWORD = "Зелёный-слон-2024"
PHONE = "+79161234567"
HEADINGS = {
    "ul": "Регистрация: Юридическое лицо",
    "ip": "Регистрация: Индивидуальный предприниматель",
    "fl": "Регистрация: Физическое лицо",
}


@pytest.fixture
def captcha_passes(settings, monkeypatch) -> None:
    """django-simple-captcha's test mode: the answer «PASSED» is accepted."""
    from captcha.conf import settings as captcha_settings

    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def _filler(kind: str):
    """A filler counterparty of the demo data of this legal form (nobody registered for it)."""
    from lkk.customers.models import Counterparty

    cp = Counterparty.objects.filter(kind=kind, billing_id__startswith="CP-").order_by("pk").first()
    assert cp is not None
    return cp


def _fio(cp) -> list[str]:
    person = cp.name.removeprefix("Индивидуальный предприниматель").strip()
    return person.split()


def _broken(value: str) -> str:
    """The identifier with its last digit changed: its checksum no longer holds."""
    return value[:-1] + str((int(value[-1]) + 1) % 10)


def _open_form(page: Page, kind: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Регистрация", exact=True).click()
    page.get_by_test_id("register-ways").get_by_role(
        "link", name=HEADINGS[kind].removeprefix("Регистрация: "), exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[kind])


def _fill(page: Page, kind: str, cp, email: str, identifiers: dict[str, str]) -> None:
    for label, value in identifiers.items():
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
    expect(page.get_by_role("img", name="Код на картинке")).to_be_visible()
    page.get_by_role("textbox", name="Я не робот: введите код с картинки").fill("PASSED")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Зарегистрироваться", exact=True).click()


def _identifiers(kind: str, cp) -> dict[str, str]:
    if kind == "ul":
        return {"ИНН": cp.inn, "ОГРН": cp.ogrn}
    if kind == "ip":
        return {"ОГРНИП": cp.ogrnip}
    return {"СНИЛС": cp.snils}


@pytest.mark.parametrize("kind", ["ul", "ip", "fl"])
def test_register_by_legal_form(
    demo, captcha_passes, page: Page, settings, django_user_model, kind: str
) -> None:
    from lkk.customers.models import AccessGrant

    settings.DEMO_MODE = True
    settings.LKK_CODE_RESEND_SECONDS = 2
    cp = _filler(kind)
    email = f"reg-{kind}@example.ru"  # not in the counterparty's contracts

    _open_form(page, kind)
    _fill(page, kind, cp, email, _identifiers(kind, cp))
    expect(page.get_by_text("Его нужно использовать в течение 10 минут.")).to_be_visible()

    # The live countdown: the resend button is disabled until the pause is over.
    resend = page.get_by_role("button", name="Отправить код повторно")
    hint = page.get_by_test_id("resend-countdown")
    expect(hint).to_contain_text("Новый код можно запросить через")
    expect(resend).to_be_disabled()
    expect(hint).to_contain_text("через 1 с.")
    expect(resend).to_be_enabled(timeout=5_000)
    expect(hint).to_be_hidden()

    page.goto("/dev/outbox/")
    row = page.get_by_test_id("dev-outbox").locator("tbody tr").filter(has_text=email).first
    code = re.search(r"\b(\d{6})\b", row.get_by_test_id("dev-outbox-body").inner_text()).group(1)
    page.goto("/accounts/register/code/")
    page.get_by_label("Код подтверждения").fill(code)
    page.get_by_role("button", name="Подтвердить").click()

    # The email is the registrant's, not billing's: an operator decides (A5).
    expect(page.get_by_role("heading", level=1)).to_have_text("Заявка передана на проверку")
    expect(page.get_by_test_id("register-pending")).to_contain_text(
        "О решении мы сообщим по электронной почте."
    )
    expect(page.get_by_test_id("who")).to_have_count(0)
    assert not django_user_model.objects.filter(email=email).exists()
    assert not AccessGrant.objects.filter(counterparty=cp).exists()


@pytest.mark.parametrize(
    ("kind", "field", "label", "attr", "validator"),
    [
        ("ul", "ogrn", "ОГРН", "ogrn", "validate_ogrn"),
        ("ip", "ogrnip", "ОГРНИП", "ogrnip", "validate_ogrnip"),
        ("fl", "snils", "СНИЛС", "snils", "validate_snils"),
    ],
)
def test_wrong_checksum_is_shown_under_its_field(
    demo, captcha_passes, page: Page, django_user_model, kind, field, label, attr, validator
) -> None:
    from lkk.core import validators

    cp = _filler(kind)
    broken = _broken(getattr(cp, attr))
    with pytest.raises(ValidationError) as caught:
        getattr(validators, validator)(broken)
    message = caught.value.messages[0]
    users = django_user_model.objects.count()

    _open_form(page, kind)
    _fill(page, kind, cp, f"bad-{kind}@example.ru", _identifiers(kind, cp) | {label: broken})

    expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[kind])
    expect(page.locator(f"#id_{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#id_{field}_error")).to_have_text(message)
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    assert django_user_model.objects.count() == users
    assert not django_user_model.objects.filter(email=f"bad-{kind}@example.ru").exists()
