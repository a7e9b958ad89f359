"""Self-registration by contract (A1, seed 000) and by legal form (A2, seeds 001/004) through the
one pipeline (lkk/accounts/services/registration.py), under `auto` and `moderated` (A5)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lkk.accounts.models import Consent, RegistrationRequest
from lkk.accounts.services import registration as pipeline
from lkk.accounts.tests.helpers import (
    CAPTCHA,
    PASSWORD,
    code_for,
    last_message,
    log_in,
    otp_login,
    wrong_code,
)
from lkk.audit.models import AuditEvent
from lkk.core import validators
from lkk.customers.models import AccessGrant, Contact, Contract
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory, UserFactory
from lkk.notifications.models import OutboxMessage

State = RegistrationRequest.State
CODE = "/accounts/register/code/"


@pytest.fixture
def billing(db):
    """A counterparty with an active, a second active and a terminated contract; an email is on
    file in the first contract, a phone in the second."""
    cp = CounterpartyFactory()
    first = ContractFactory(counterparty=cp, number="620001001")
    second = ContractFactory(counterparty=cp, number="620001002")
    old = ContractFactory(counterparty=cp, number="620001003", status=Contract.Status.TERMINATED)
    Contact.objects.create(
        billing_id="C-1", counterparty=cp, contract=first, kind="email", value="Boss@Firm.ru"
    )
    Contact.objects.create(
        billing_id="C-2", counterparty=cp, contract=second, kind="phone", value="+79120001122"
    )
    return cp, first, second, old


def _a1(client, cp, number, contact, **extra):
    data = {
        "inn": cp.inn,
        "contract_number": number,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "contact": contact,
        "consent": "on",
    } | extra
    return client.post(reverse("accounts:register_contract"), data)


def _confirm(client, recipient: str):
    return client.post(CODE, {"code": code_for(recipient)})


def test_choose_page_offers_the_configured_ways(client, settings):
    page = client.get(reverse("accounts:register")).content.decode()
    for text in ("По договору (ИНН и номер договора)", "Юридическое лицо",
                 "Индивидуальный предприниматель", "Физическое лицо"):  # fmt: skip
        assert text in page
    settings.LKK_REGISTRATION_FORMS = "contract"
    page = client.get(reverse("accounts:register")).content.decode()
    assert "Физическое лицо" not in page
    assert client.get(reverse("accounts:register_fl")).status_code == 404
    assert "Регистрация" in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("way", ["steps", "signup"])
def test_a_way_not_offered_does_not_exist(client, settings, way):
    settings.LKK_REGISTRATION_FORMS = "contract"
    url = reverse("accounts:register_steps" if way == "steps" else "accounts:signup")
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("accounts:register")).content.decode()
    settings.LKK_REGISTRATION_FORMS = f"contract,{way}"
    assert client.get(url).status_code == 200
    assert url in client.get(reverse("accounts:register")).content.decode()


# --- A1 -----------------------------------------------------------------------------------------


def test_a1_form_has_the_seed_fields(client):
    page = client.get(reverse("accounts:register_contract")).content.decode()
    for text in ("Регистрация в личном кабинете небытового потребителя", "ИНН потребителя",
                 "Номер договора энергоснабжения", "Пароль", "Повтор пароля",
                 "Адрес электронной почты или номер мобильного телефона, указанные в договоре",
                 "Если у Вас более одного договора энергоснабжения, введите номер любого.",
                 "Восстановить пароль", "Регистрация", reverse("accounts:agreement")):  # fmt: skip
        assert text in page


def test_a1_unknown_counterparty(client, billing):
    cp, *_ = billing
    page = _a1(client, cp, "999999", "boss@firm.ru").content.decode()
    assert "Ошибка регистрации! Контрагент не найден!" in page
    # Another counterparty's ИНН with this contract's number.
    other = CounterpartyFactory()
    page = _a1(client, other, "620001001", "boss@firm.ru").content.decode()
    assert "Ошибка регистрации! Контрагент не найден!" in page
    assert not OutboxMessage.objects.exists()
    assert not RegistrationRequest.objects.exists()


def test_a1_contact_not_on_file(client, billing):
    cp, *_ = billing
    page = _a1(client, cp, "620001001", "other@firm.ru").content.decode()
    assert "Ошибка регистрации! Телефон (email) не найден!" in page
    # A contact another counterparty has on file proves nothing about this one.
    stranger = CounterpartyFactory()
    Contact.objects.create(billing_id="S-1", counterparty=stranger, kind="email", value="s@x.ru")
    page = _a1(client, cp, "620001001", "s@x.ru").content.decode()
    assert "Ошибка регистрации! Телефон (email) не найден!" in page
    assert not OutboxMessage.objects.exists()
    assert not RegistrationRequest.objects.exists()


def test_a1_a_contact_of_another_contract_of_the_counterparty_proves_it(client, billing):
    """A5: a contact billing lists for the counterparty or any of its contracts proves it."""
    cp, first, *_ = billing
    assert _a1(client, cp, first.number, "+7 912 000-11-22").status_code == 302
    assert last_message("+79120001122").channel == "sms"


def test_a1_bad_inn_checksum_passwords_and_consent(client, billing):
    cp, *_ = billing
    page = _a1(client, cp, "620001001", "boss@firm.ru", inn="7700000001").content.decode()
    assert "ИНН: неверное контрольное число" in page
    page = _a1(client, cp, "620001001", "boss@firm.ru", password2="другой-пароль-1").content
    assert "Пароли не совпадают" in page.decode()
    page = _a1(client, cp, "620001001", "boss@firm.ru", password1="123", password2="123").content
    assert "Введённый пароль слишком короткий" in page.decode()
    page = _a1(client, cp, "620001001", "boss@firm.ru", consent="").content.decode()
    assert "Без согласия с Пользовательским соглашением регистрация невозможна." in page
    page = _a1(client, cp, "620001001", "not a contact").content.decode()
    assert "Введите адрес электронной почты или номер мобильного телефона" in page
    assert not OutboxMessage.objects.exists()


def test_a1_end_to_end(client, billing):
    cp, first, second, _old = billing
    response = _a1(client, cp, "620001001", " BOSS@firm.ru ")
    assert response.status_code == 302
    assert response.url == reverse("accounts:register_code")
    page = client.get(response.url).content.decode()
    assert "Код отправлен на boss@firm.ru." in page
    assert "Его нужно использовать в течение 10 минут." in page
    message = last_message("boss@firm.ru")
    assert "/accounts/register/link/?t=" in message.body
    assert PASSWORD not in message.body
    req = RegistrationRequest.objects.get()
    assert client.session[pipeline.SESSION_KEY] == req.pk
    assert PASSWORD not in str(dict(client.session.items()))
    assert req.password_hash and PASSWORD not in req.password_hash

    response = _confirm(client, "boss@firm.ru")
    assert response.status_code == 302
    assert response.url == reverse("accounts:register_done")
    assert pipeline.SESSION_KEY not in client.session
    done = client.get(response.url).content.decode()
    login = f"{cp.inn}620001001"
    assert login in done
    assert "Сохраните логин: он будет использоваться при входе в личный кабинет." in done
    # Shown once (the header names the user by the login, having no ФИО: not the page itself).
    again = client.get(reverse("accounts:register_done")).content.decode()
    assert login not in again[again.index("<main") :]

    req.refresh_from_db()
    assert req.state == State.APPROVED
    user = AccessGrant.objects.get(counterparty=cp, all_contracts=True).user
    assert user == req.user and user.username == login
    assert user.email == "boss@firm.ru"
    assert user.check_password(PASSWORD)
    assert Consent.objects.filter(user=user).exists()
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {"registration_submitted", "registration_approved", "grant_added"} <= kinds
    approved = OutboxMessage.objects.get(kind="registration_approved")
    assert approved.recipient == "boss@firm.ru" and login in approved.body

    home = client.get(reverse("customers:home")).content.decode()
    assert first.number in home and second.number in home

    client.logout()
    log_in(client, login)


def test_a1_by_phone_and_already_registered(client, billing):
    cp, *_ = billing
    assert _a1(client, cp, "620001002", "8 (912) 000-11-22").status_code == 302
    assert last_message("+79120001122").channel == "sms"
    assert _confirm(client, "+79120001122").status_code == 302
    client.logout()
    page = _a1(client, cp, "620001002", "+79120001122").content.decode()
    assert "уже зарегистрирован" in page and f"{cp.inn}620001002" in page
    assert RegistrationRequest.objects.count() == 1


def test_a1_one_click_link_works_in_any_browser_once(client, billing):
    cp, *_ = billing
    _a1(client, cp, "620001001", "boss@firm.ru")
    body = last_message("boss@firm.ru").body
    link = re.search(r"(/accounts/register/link/\?t=\S+)", body).group(1)
    response = Client().get(link)
    assert response.status_code == 302 and response.url == reverse("accounts:register_done")
    assert AccessGrant.objects.filter(counterparty=cp, all_contracts=True).count() == 1
    again = Client().get(link).content.decode()
    assert "Ссылка уже использована" in again
    assert get_user_model().objects.filter(username=f"{cp.inn}620001001").count() == 1


def test_a1_link_unknown_or_missing(client, db):
    page = client.get(reverse("accounts:register_link"), {"t": "nope"}).content.decode()
    assert "Ссылка недействительна" in page
    page = client.get(reverse("accounts:register_link")).content.decode()
    assert "Регистрация не начата или уже завершена в этом браузере." in page
    page = client.get(CODE).content.decode()
    assert "Регистрация не начата или уже завершена в этом браузере." in page


def test_a_code_of_another_registration_does_not_work(client, billing):
    cp, *_ = billing
    _a1(client, cp, "620001001", "boss@firm.ru")
    mine = code_for("boss@firm.ru")
    other = Client()
    _a1(other, cp, "620001002", "+79120001122")
    theirs = code_for("+79120001122")
    if theirs != mine:
        page = client.post(CODE, {"code": theirs}).content.decode()
        assert "Неверный код" in page
    assert not AccessGrant.objects.exists()
    # The other registration's own code works for it.
    assert other.post(CODE, {"code": theirs}).status_code == 302
    assert AccessGrant.objects.count() == 1


def test_a1_wrong_code_five_times_burns_it(client, billing):
    cp, *_ = billing
    _a1(client, cp, "620001001", "boss@firm.ru")
    code = code_for("boss@firm.ru")
    for _ in range(5):
        page = client.post(CODE, {"code": wrong_code(code)}).content.decode()
    page = client.post(CODE, {"code": code}).content.decode()
    assert "превышено число попыток" in page
    assert not AccessGrant.objects.exists()
    assert RegistrationRequest.objects.get().state == State.DRAFT


def test_a1_counterparty_contact_and_early_resend(client, billing):
    cp, *_ = billing
    Contact.objects.create(billing_id="C-3", counterparty=cp, kind="email", value="acc@firm.ru")
    assert _a1(client, cp, "620001002", "acc@firm.ru").status_code == 302
    response = client.post(CODE, {"resend": "1"}, follow=True)
    assert "Новый код можно запросить через" in response.content.decode()
    assert OutboxMessage.objects.filter(recipient="acc@firm.ru").count() == 1
    page = client.post(CODE, {"code": "000000"}).content.decode()
    if code_for("acc@firm.ru") != "000000":
        assert "Неверный код" in page


def test_a1_resend_after_the_pause_sends_a_new_code(client, billing, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    cp, *_ = billing
    _a1(client, cp, "620001001", "boss@firm.ru")
    first = code_for("boss@firm.ru")
    time_machine.shift(61)
    response = client.post(CODE, {"resend": "1"}, follow=True)
    assert "Новый код отправлен." in response.content.decode()
    assert OutboxMessage.objects.filter(recipient="boss@firm.ru").count() == 2
    second = code_for("boss@firm.ru")
    if first != second:
        assert "Неверный код" in client.post(CODE, {"code": first}).content.decode()
    assert client.post(CODE, {"code": second}).status_code == 302
    assert AccessGrant.objects.filter(counterparty=cp).count() == 1


# --- A2 -----------------------------------------------------------------------------------------

PERSON = {"last_name": "Петров", "first_name": "Пётр", "middle_name": "Петрович",
          "phone": "+7 912 345-67-89"}  # fmt: skip


def _a2(client, form, **data):
    data = {"password1": PASSWORD, "password2": PASSWORD, "consent": "on"} | CAPTCHA | data
    return client.post(reverse(f"accounts:register_{form}"), data)


def _on_file(cp, email: str) -> None:
    Contact.objects.create(
        billing_id=f"E-{cp.pk}-{email}", counterparty=cp, kind="email", value=email
    )


def _confirm_and_check(client, cp, email):
    response = _confirm(client, email)
    assert response.status_code == 302 and response.url == reverse("customers:home")
    user = AccessGrant.objects.get(counterparty=cp, all_contracts=True).user
    assert user.username == email
    assert user.email == email
    assert user.check_password(PASSWORD)
    assert Consent.objects.filter(user=user).exists()
    client.logout()
    log_in(client, email)
    return user


def test_a2_legal_entity(client, db, captcha_passes):
    cp = CounterpartyFactory()
    ContractFactory(counterparty=cp)
    _on_file(cp, "ul@firm.ru")
    page = client.get(reverse("accounts:register_ul")).content.decode()
    for text in ("Зарегистрироваться", "ОГРН", "КПП", "10 цифр", "13 цифр",
                 "Я не робот", "Документы"):  # fmt: skip
        assert text in page
    bad = _a2(client, "ul", inn="7700000001", ogrn="1027700000001", email="a@b.ru")
    assert "ИНН: неверное контрольное число" in bad.content.decode()
    bad = _a2(client, "ul", inn=cp.inn, ogrn="1027700000000", email="a@b.ru")
    assert "ОГРН: неверное контрольное число" in bad.content.decode()
    bad = _a2(client, "ul", inn=cp.inn, kpp="12345", email="a@b.ru")
    assert "КПП" in bad.content.decode()
    bad = _a2(client, "ul", inn=cp.inn, email="a@b.ru")
    assert "Укажите ОГРН или КПП." in bad.content.decode()
    unknown = validators.make_ogrn("102779999999")
    bad = _a2(client, "ul", inn=cp.inn, ogrn=unknown, email="a@b.ru").content.decode()
    assert "Контрагент с такими данными не найден" in bad
    bad = _a2(client, "ul", inn=cp.inn, kpp=cp.kpp, email="a@b.ru", captcha_1="WRONG")
    assert "Неверный код с картинки" in bad.content.decode()
    assert not OutboxMessage.objects.exists()
    assert _a2(client, "ul", inn=cp.inn, kpp=cp.kpp, email="Ul@Firm.ru").status_code == 302
    user = _confirm_and_check(client, cp, "ul@firm.ru")
    assert user.has_usable_password()


def test_a2_entrepreneur(client, db, captcha_passes):
    ogrnip = validators.make_ogrnip("30462000000001")
    cp = CounterpartyFactory(
        kind="ip", inn="", kpp="", ogrn="", ogrnip=ogrnip,
        name="Индивидуальный предприниматель Петров Пётр Петрович", short_name="ИП Петров П. П.",
    )  # fmt: skip
    _on_file(cp, "ip@firm.ru")
    bad = _a2(client, "ip", ogrnip="304620000000010", email="ip@firm.ru", **PERSON)
    if ogrnip != "304620000000010":
        assert "ОГРНИП: неверное контрольное число" in bad.content.decode()
    bad = _a2(client, "ip", ogrnip=ogrnip, email="ip@firm.ru", **PERSON | {"phone": "12"})
    assert "+7 и 10 цифр" in bad.content.decode()
    # ё/е, case and spaces do not matter.
    person = PERSON | {"last_name": " ПЕТРОВ ", "first_name": "Петр"}
    assert _a2(client, "ip", ogrnip=ogrnip, email="ip@firm.ru", **person).status_code == 302
    user = _confirm_and_check(client, cp, "ip@firm.ru")
    assert (user.last_name, user.phone) == ("ПЕТРОВ", "+79123456789")


def test_a2_person(client, db, captcha_passes):
    snils = validators.make_snils("100000007")
    cp = CounterpartyFactory(
        kind="fl", inn="", kpp="", ogrn="", snils=snils,
        name="Петров Пётр Петрович", short_name="Петров П. П.",
    )  # fmt: skip
    _on_file(cp, "fl@mail.ru")
    wrong = snils[:9] + ("00" if snils[9:] != "00" else "01")
    bad = _a2(client, "fl", snils=wrong, email="fl@mail.ru", **PERSON)
    assert "СНИЛС: неверное контрольное число" in bad.content.decode()
    printed = f"{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}"
    assert _a2(client, "fl", snils=printed, email="fl@mail.ru", **PERSON).status_code == 302
    assert RegistrationRequest.objects.get().snils == snils
    _confirm_and_check(client, cp, "fl@mail.ru")


def test_a2_email_taken(client, db, captcha_passes):
    cp = CounterpartyFactory()
    UserFactory(email="taken@firm.ru")
    page = _a2(client, "ul", inn=cp.inn, ogrn=cp.ogrn, email="taken@firm.ru").content.decode()
    assert "Этот адрес электронной почты уже используется" in page
    assert not OutboxMessage.objects.exists()


# --- `moderated` (A5): every request goes to the operators' queue (O1) --------------------------


def _operator_client(operator):
    staff = Client()
    otp_login(staff, operator)
    return staff


def test_a1_moderated_request_then_approval(client, billing, settings, operator):
    settings.LKK_VERIFICATION_POLICY = "moderated"
    cp, *_ = billing
    assert _a1(client, cp, "620001002", "+79120001122").status_code == 302
    response = _confirm(client, "+79120001122")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Заявка передана на проверку" in page
    assert "О решении мы сообщим SMS-сообщением на телефон." in page
    assert "не указан в договоре" not in page  # it is: the policy, not the contact, queued it
    assert pipeline.SESSION_KEY not in client.session
    login = f"{cp.inn}620001002"
    req = RegistrationRequest.objects.get()
    assert req.state == State.PENDING
    assert (req.username, req.counterparty, req.contract_numbers) == (login, cp, ["620001002"])
    assert req.phone == "+79120001122" and req.inn == cp.inn and req.contact_on_file
    assert not AccessGrant.objects.exists()
    assert not get_user_model().objects.filter(username=login).exists()
    assert not client.get(reverse("customers:home")).wsgi_request.user.is_authenticated

    staff = _operator_client(operator)
    queue = staff.get(reverse("backoffice:moderation_queue")).content.decode()
    assert login in queue
    detail = staff.get(reverse("backoffice:moderation_detail", args=[req.pk])).content.decode()
    assert "620001002" in detail and "есть в данных биллинга" in detail
    decide = reverse("backoffice:moderation_decide", args=[req.pk])
    assert staff.post(decide, {"action": "approve", "scope": "all"}).status_code == 302
    req.refresh_from_db()
    assert req.state == State.APPROVED and req.decided_by == operator
    grant = AccessGrant.objects.get(counterparty=cp)
    assert grant.user.username == login and grant.user == req.user and grant.all_contracts
    sms = OutboxMessage.objects.filter(recipient="+79120001122", channel="sms").order_by("-pk")[0]
    assert login in sms.body
    log_in(client, login)


def test_a1_moderated_by_email_link(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "moderated"
    cp, *_ = billing
    assert _a1(client, cp, "620001001", "boss@firm.ru").status_code == 302
    body = last_message("boss@firm.ru").body
    token = re.search(r"\?t=(\S+)", body).group(1)
    page = client.get(reverse("accounts:register_link"), {"t": token}).content.decode()
    assert "О решении мы сообщим по электронной почте." in page
    req = RegistrationRequest.objects.get()
    assert (req.state, req.email) == (State.PENDING, "boss@firm.ru")
    assert not AccessGrant.objects.exists()


def test_a2_moderated_approval_and_rejection(client, db, settings, operator, captcha_passes):
    settings.LKK_VERIFICATION_POLICY = "moderated"
    cp = CounterpartyFactory()
    ContractFactory(counterparty=cp)
    _on_file(cp, "ul@firm.ru")  # even a contact on file waits for the operator
    assert _a2(client, "ul", inn=cp.inn, kpp=cp.kpp, email="Ul@Firm.ru").status_code == 302
    response = _confirm(client, "ul@firm.ru")
    assert "О решении мы сообщим по электронной почте." in response.content.decode()
    req = RegistrationRequest.objects.get()
    assert (req.state, req.username, req.counterparty) == (State.PENDING, "ul@firm.ru", cp)
    assert (req.company_kind, req.inn, req.kpp) == ("ul", cp.inn, cp.kpp)
    users = get_user_model().objects
    assert not users.filter(username="ul@firm.ru").exists()
    assert not AccessGrant.objects.exists()

    staff = _operator_client(operator)
    decide = reverse("backoffice:moderation_decide", args=[req.pk])
    staff.post(decide, {"action": "approve", "scope": "all"})
    user = users.get(username="ul@firm.ru")
    assert user.email == "ul@firm.ru" and user.check_password(PASSWORD)
    assert AccessGrant.objects.get(counterparty=cp).user == user
    approved = last_message("ul@firm.ru")
    assert "о предоставлении прав доступа" in approved.subject
    client.logout()
    log_in(client, "ul@firm.ru")

    # A second registration of another counterparty, rejected with a reason.
    other = CounterpartyFactory()
    ContractFactory(counterparty=other)
    client.logout()
    assert _a2(client, "ul", inn=other.inn, kpp=other.kpp, email="no@firm.ru").status_code == 302
    _confirm(client, "no@firm.ru")
    req = RegistrationRequest.objects.get(username="no@firm.ru")
    decide = reverse("backoffice:moderation_decide", args=[req.pk])
    staff.post(decide, {"action": "reject", "reason": "Нет доверенности"})
    req.refresh_from_db()
    assert req.state == State.REJECTED
    assert not users.filter(username="no@firm.ru").exists()
    rejected = last_message("no@firm.ru")
    assert "Нет доверенности" in rejected.body


def test_a1_under_auto_is_approved_at_once(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "auto"
    cp, *_ = billing
    _a1(client, cp, "620001002", "+79120001122")
    response = _confirm(client, "+79120001122")
    assert response.url == reverse("accounts:register_done")
    req = RegistrationRequest.objects.get()
    assert req.state == State.APPROVED and req.decided_by is None
