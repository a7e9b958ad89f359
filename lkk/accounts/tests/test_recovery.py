"""Password recovery (A7): SECURITY.md "Accounts" — no enumeration, no password sent, a reset
ends the other sessions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lkk.accounts.models import ConfirmationCode
from lkk.accounts.services import recovery
from lkk.audit.models import AuditEvent
from lkk.customers.models import AccessGrant, Contact
from lkk.customers.tests.factories import ContractFactory, UserFactory
from lkk.notifications.models import OutboxMessage

REQUEST = reverse("accounts:password_reset")
CONFIRM = reverse("accounts:password_reset_confirm")
LOGIN = reverse("accounts:login")
NEW = "Zebra-lantern-1984"
SENT = "Если учётная запись найдена, мы отправили код на указанные в ней контакты."
DONE = "Пароль изменён. Войдите с новым паролем."
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory(username="ivanov", email="Ivanov@Example.ru", phone="+79123456789")


@pytest.fixture
def contracted():
    """A user acting for a counterparty whose contract lists the user's email."""
    user = UserFactory(username="buh", email="buh@firm.ru", phone="")
    contract = ContractFactory(number="12-345/Э")
    AccessGrant.objects.create(user=user, counterparty=contract.counterparty)
    Contact.objects.create(
        billing_id="c1", counterparty=contract.counterparty, contract=contract,
        kind=Contact.Kind.EMAIL, value="BUH@firm.ru",
    )  # fmt: skip
    return user, contract


def _request(client, identifier, number=""):
    return client.post(REQUEST, {"identifier": identifier, "contract_number": number}, follow=True)


def _page(response) -> str:
    return _CSRF.sub("", response.content.decode())


def _code(recipient: str) -> str:
    body = OutboxMessage.objects.filter(recipient=recipient).order_by("-pk").first().body
    return re.search(r"\b([0-9]{6})\b", body).group(1)


def _confirm(client, code, password=NEW, password2=None):
    data = {"code": code, "new_password1": password, "new_password2": password2 or password}
    return client.post(CONFIRM, data)


def test_login_page_links_to_recovery(client):
    page = client.get(LOGIN).content.decode()
    assert "Забыли пароль?" in page and REQUEST in page


def test_request_page(client):
    page = client.get(REQUEST).content.decode()
    assert "Логин, email, телефон или ИНН" in page
    assert "Номер договора" in page


@pytest.mark.parametrize(
    ("identifier", "recipient", "channel"),
    [
        ("ivanov", "ivanov@example.ru", "email"),
        ("IVANOV", "ivanov@example.ru", "email"),
        (" ivanov@example.RU ", "ivanov@example.ru", "email"),
        ("8 (912) 345-67-89", "+79123456789", "sms"),
    ],
)
def test_found_by_login_email_phone(client, person, identifier, recipient, channel):
    response = _request(client, identifier)
    assert SENT in response.content.decode()
    message = OutboxMessage.objects.get()
    assert (message.recipient, message.channel, message.kind) == (
        recipient,
        channel,
        "password_reset",
    )
    record = ConfirmationCode.objects.get()
    assert (record.purpose, record.subject) == ("recovery", f"user:{person.pk}")
    assert (record.link_hash is not None) == (channel == "email")
    assert client.session[recovery.SESSION_KEY]["user"] == person.pk

    assert _confirm(client, _code(recipient)).url == LOGIN
    person.refresh_from_db()
    assert person.check_password(NEW)


def test_found_by_inn_and_contract(client, contracted):
    user, contract = contracted
    _request(client, contract.counterparty.inn, " 12-345/Э ")
    assert OutboxMessage.objects.get().recipient == "buh@firm.ru"
    assert _confirm(client, _code("buh@firm.ru")).url == LOGIN
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_inn_path_needs_a_contact_of_the_contract(client, contracted):
    _user, contract = contracted
    Contact.objects.all().delete()
    _request(client, contract.counterparty.inn, contract.number)
    assert not OutboxMessage.objects.exists()


def test_inn_path_by_phone_listed(client, contracted):
    user, contract = contracted
    user.email, user.phone = "", "+79001112233"
    user.save()
    Contact.objects.create(
        billing_id="c2", counterparty=contract.counterparty, contract=contract,
        kind=Contact.Kind.PHONE, value="8 900 111-22-33",
    )  # fmt: skip
    _request(client, contract.counterparty.inn, contract.number)
    assert OutboxMessage.objects.get().recipient == "+79001112233"


def test_inn_path_sends_to_the_users_own_email(client, contracted):
    """The listed phone identifies the user; the code goes to the email of the account."""
    user, contract = contracted
    user.email, user.phone = "own@firm.ru", "+79001112233"
    user.save()
    Contact.objects.create(
        billing_id="c2", counterparty=contract.counterparty, contract=contract,
        kind=Contact.Kind.PHONE, value="+79001112233",
    )  # fmt: skip
    _request(client, contract.counterparty.inn, contract.number)
    assert OutboxMessage.objects.get().recipient == "own@firm.ru"


def test_inn_path_ignores_users_without_access(client, contracted):
    user, contract = contracted
    AccessGrant.objects.filter(user=user).delete()
    _request(client, contract.counterparty.inn, contract.number)
    assert not OutboxMessage.objects.exists()


def test_inn_without_contract_and_contract_without_inn(client):
    page = _request(client, "7707083893").content.decode()
    assert "По ИНН укажите и номер договора." in page
    page = _request(client, "ivanov", "12-345").content.decode()
    assert "С номером договора укажите ИНН: 10 или 12 цифр." in page
    page = _request(client, "").content.decode()
    assert "Введите логин, email, телефон или ИНН." in page


def test_known_and_unknown_answer_alike(client, person, contracted):
    _user, contract = contracted
    pages = {}
    for name, identifier, number in [
        ("login", "ivanov", ""),
        ("no-login", "petrov", ""),
        ("email", "ivanov@example.ru", ""),
        ("no-email", "nobody@example.ru", ""),
        ("phone", "+79123456789", ""),
        ("no-phone", "+79990000000", ""),
        ("contract", contract.counterparty.inn, contract.number),
        ("no-contract", contract.counterparty.inn, "99-999"),
        ("no-inn", "7707083893", contract.number),
    ]:
        client.cookies.clear()
        first = client.post(REQUEST, {"identifier": identifier, "contract_number": number})
        assert (first.status_code, first.url) == (302, CONFIRM), name
        page = client.get(CONFIRM)
        pages[name] = (page.status_code, _page(page))
    assert len(set(pages.values())) == 1, pages.keys()
    assert SENT in pages["login"][1]


def test_a_miss_costs_a_password_hash(client, person, monkeypatch):
    calls = []
    monkeypatch.setattr(recovery, "make_password", lambda value: calls.append(1))
    _request(client, "nobody@example.ru")
    assert calls == [1]
    _request(client, "ivanov")
    assert calls == [1]  # a hit spends its time on the code and the message instead


def test_a_refused_code_is_not_shown(client, person):
    _request(client, "ivanov")
    client.cookies.clear()
    page = _request(client, "ivanov").content.decode()  # within the 60 s pause
    assert SENT in page
    assert OutboxMessage.objects.count() == 1


def test_wrong_code_messages_alike_for_a_miss(client, person):
    def wrong_codes() -> list[str]:
        out = []
        for code in ["12", "000000", "000000", "000000", "000000", "000000", "000000"]:
            page = _confirm(client, code).content.decode()
            out.append(re.search(r'id="id_code_error">([^<]*)<', page).group(1))
        return out

    _request(client, "ivanov")
    hit = wrong_codes()
    client.cookies.clear()
    _request(client, "nobody")
    miss = wrong_codes()
    assert hit == miss
    assert hit[:3] == [
        "Код — 6 цифр.",
        "Неверный код. Осталось попыток: 4.",
        "Неверный код. Осталось попыток: 3.",
    ]
    assert hit[-1].startswith("Код больше недействителен")


def test_used_code_refused(client, person):
    _request(client, "ivanov")
    code = _code("ivanov@example.ru")
    state = dict(client.session[recovery.SESSION_KEY])
    assert _confirm(client, code).url == LOGIN
    session = client.session
    session[recovery.SESSION_KEY] = state  # replaying the step with the spent code
    session.save()
    page = _confirm(client, code, password="Another-pass-2024").content.decode()
    assert "Код уже использован. Запросите новый код." in page
    person.refresh_from_db()
    assert person.check_password(NEW)


def test_password_rules_after_right_code(client, person):
    _request(client, "ivanov")
    page = _confirm(client, _code("ivanov@example.ru"), password="12345678").content.decode()
    assert 'id="id_new_password1_error"' in page
    assert "слишком" in page or "распространённый" in page.lower()
    assert 'name="code"' not in page  # the code is spent: only the password now
    page = _confirm(client, "", password=NEW, password2=NEW + "x").content.decode()
    assert "Пароли не совпадают." in page
    assert client.post(CONFIRM, {"new_password1": NEW, "new_password2": NEW}).url == LOGIN


def test_link_flow(client, person):
    _request(client, "ivanov@example.ru")
    body = OutboxMessage.objects.get().body
    link = re.search(r"http://testserver(/accounts/password/reset/link/[^/\s]+/)", body).group(1)
    client.cookies.clear()
    page = client.get(link).content.decode()
    assert 'name="new_password1"' in page and 'name="code"' not in page
    assert ConfirmationCode.objects.get().used_at is None  # opening the link spends nothing
    response = client.post(link, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert DONE in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(NEW)
    again = client.post(link, {"new_password1": NEW, "new_password2": NEW})
    assert "Ссылка уже использована. Запросите новую." in again.content.decode()
    bogus = reverse("accounts:password_reset_link", kwargs={"token": "x" * 43})
    bad = client.post(bogus, {"new_password1": NEW, "new_password2": NEW})
    assert "Ссылка недействительна. Запросите новую." in bad.content.decode()


def test_other_sessions_end_and_audit(client, person):
    from django.test import Client

    other = Client()
    other.force_login(person)
    home = reverse("customers:home")
    assert other.get(home).status_code == 200
    _request(client, "ivanov")
    response = client.post(
        CONFIRM,
        {"code": _code("ivanov@example.ru"), "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert DONE in response.content.decode()
    gone = other.get(home)
    assert gone.status_code == 302 and gone.url.startswith(LOGIN)
    event = AuditEvent.objects.get(kind="password_reset")
    assert event.user == person
    assert recovery.SESSION_KEY not in client.session


def test_password_never_sent_nor_logged(client, person):
    _request(client, "ivanov")
    _confirm(client, _code("ivanov@example.ru"))
    assert OutboxMessage.objects.exists()
    for message in OutboxMessage.objects.all():
        assert NEW not in message.body + message.html + message.subject
    for event in AuditEvent.objects.all():
        assert NEW not in str(event.details)


def test_resend_pause_and_resend(client, person):
    _request(client, "ivanov")
    page = client.get(CONFIRM).content.decode()
    assert "Отправить код ещё раз" in page
    assert "Новый код можно запросить через 60 с." in page
    refused = client.post(CONFIRM, {"resend": "1"}).content.decode()
    assert "Новый код можно запросить через" in refused
    assert OutboxMessage.objects.count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        response = client.post(CONFIRM, {"resend": "1"}, follow=True)
        assert "Если учётная запись найдена, мы отправили новый код." in response.content.decode()
        assert OutboxMessage.objects.count() == 2
        assert _confirm(client, _code("ivanov@example.ru")).url == LOGIN


def test_resend_for_a_miss_looks_the_same(client, person):
    _request(client, "nobody")
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        response = client.post(CONFIRM, {"resend": "1"}, follow=True)
    assert "Если учётная запись найдена, мы отправили новый код." in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_confirm_without_request(client):
    page = client.get(CONFIRM)
    assert page.status_code == 200
    assert "Сначала запросите код восстановления." in page.content.decode()


def test_account_is_kept_in_session_not_in_the_page(client, person):
    _request(client, "ivanov")
    page = client.get(CONFIRM).content.decode()
    hidden = re.findall(r'<input type="hidden" name="([^"]+)"', page)
    assert set(hidden) <= {"csrfmiddlewaretoken", "next"}  # "next": the language switch
    # A visitor cannot pick the account: a posted "user" is ignored.
    other = UserFactory(username="victim")
    client.post(CONFIRM, {"code": _code("ivanov@example.ru"), "new_password1": NEW,
                          "new_password2": NEW, "user": other.pk})  # fmt: skip
    other.refresh_from_db()
    assert not other.check_password(NEW)


def test_inactive_account_is_a_miss(client, person):
    person.is_active = False
    person.save()
    _request(client, "ivanov")
    assert not OutboxMessage.objects.exists()
