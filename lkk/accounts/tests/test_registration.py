"""Self-registration (A1 seed 000, A2 seeds 001/004) under the `auto` and `moderated` policies
(A5)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from lkk.accounts.models import Consent, RegistrationRequest
from lkk.accounts.tests.test_moderation import otp_login
from lkk.audit.models import AuditEvent
from lkk.core import validators
from lkk.customers.models import AccessGrant, Contact, Contract
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory, UserFactory
from lkk.notifications.models import OutboxMessage

PASSWORD = "Зелёный-слон-2024"


def _log_in(client, login: str) -> None:
    data = {"username": login, "password": PASSWORD}
    response = client.post(reverse("accounts:login"), data)
    assert response.status_code == 302, response.content.decode()[-500:]


def _code_for(recipient: str) -> str:
    message = OutboxMessage.objects.filter(recipient=recipient).order_by("-pk").first()
    assert message is not None, f"no message to {recipient}"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.fixture
def billing(db):
    """A counterparty with an active, a second active and a terminated contract."""
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


def test_a1_form_has_the_seed_fields(client):
    page = client.get(reverse("accounts:register_contract")).content.decode()
    for text in ("Регистрация в личном кабинете небытового потребителя", "ИНН потребителя",
                 "Номер договора энергоснабжения", "Пароль", "Повтор пароля",
                 "Адрес электронной почты или номер мобильного телефона, указанные в договоре",
                 "Регистрация", reverse("accounts:agreement")):  # fmt: skip
        assert text in page


def test_a1_unknown_counterparty(client, billing):
    cp, *_ = billing
    page = _a1(client, cp, "999999", "boss@firm.ru").content.decode()
    assert "Ошибка регистрации! Контрагент не найден!" in page
    other = CounterpartyFactory()
    page = _a1(client, other, "620001001", "boss@firm.ru").content.decode()
    assert "Ошибка регистрации! Контрагент не найден!" in page
    assert not OutboxMessage.objects.exists()


def test_a1_contact_not_in_contract(client, billing):
    cp, *_ = billing
    page = _a1(client, cp, "620001001", "other@firm.ru").content.decode()
    assert "Ошибка регистрации! Телефон (email) не найден!" in page
    # The phone of another contract is not this contract's.
    page = _a1(client, cp, "620001001", "+7 912 000-11-22").content.decode()
    assert "Ошибка регистрации! Телефон (email) не найден!" in page
    assert not OutboxMessage.objects.exists()


def test_a1_bad_inn_checksum_and_passwords(client, billing):
    cp, *_ = billing
    page = _a1(client, cp, "620001001", "boss@firm.ru", inn="7700000001").content.decode()
    assert "ИНН: неверное контрольное число" in page
    page = _a1(client, cp, "620001001", "boss@firm.ru", password2="другой-пароль-1").content
    assert "Пароли не совпадают" in page.decode()
    page = _a1(client, cp, "620001001", "boss@firm.ru", password1="123", password2="123").content
    assert "Введённый пароль слишком короткий" in page.decode()
    page = _a1(client, cp, "620001001", "boss@firm.ru", consent="").content.decode()
    assert "Без согласия с Пользовательским соглашением регистрация невозможна." in page


def test_a1_end_to_end(client, billing):
    cp, first, second, _old = billing
    response = _a1(client, cp, "620001001", " BOSS@firm.ru ")
    assert response.status_code == 302
    assert response.url == reverse("accounts:register_code")
    page = client.get(response.url).content.decode()
    assert "Его нужно использовать в течение 10 минут." in page
    message = OutboxMessage.objects.get(recipient="boss@firm.ru")
    assert "/accounts/register/link/?t=" in message.body
    assert PASSWORD not in str(client.session.get("lkk_registration"))

    response = client.post(reverse("accounts:register_code"), {"code": _code_for("boss@firm.ru")})
    assert response.status_code == 302
    assert response.url == reverse("accounts:register_done")
    done = client.get(response.url).content.decode()
    login = f"{cp.inn}620001001"
    assert login in done
    assert "Сохраните логин: он будет использоваться при входе в личный кабинет." in done
    # Shown once.
    assert login not in client.get(reverse("accounts:register_done")).content.decode()

    user = AccessGrant.objects.get(counterparty=cp, all_contracts=True).user
    assert user.username == login
    assert user.check_password(PASSWORD)
    assert Consent.objects.filter(user=user).exists()
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {"registration_submitted", "registration_approved", "grant_added"} <= kinds

    home = client.get(reverse("customers:home")).content.decode()
    assert first.number in home and second.number in home

    client.logout()
    _log_in(client, login)


def test_a1_by_phone_and_already_registered(client, billing):
    cp, *_ = billing
    assert _a1(client, cp, "620001002", "8 (912) 000-11-22").status_code == 302
    code = _code_for("+79120001122")
    assert OutboxMessage.objects.get(recipient="+79120001122").channel == "sms"
    assert client.post(reverse("accounts:register_code"), {"code": code}).status_code == 302
    client.logout()
    page = _a1(client, cp, "620001002", "+79120001122").content.decode()
    assert "уже зарегистрирован" in page


def test_a1_one_click_link(client, billing):
    cp, *_ = billing
    _a1(client, cp, "620001001", "boss@firm.ru")
    body = OutboxMessage.objects.get(recipient="boss@firm.ru").body
    link = re.search(r"(/accounts/register/link/\?t=\S+)", body).group(1)
    response = client.get(link)
    assert response.url == reverse("accounts:register_done")
    assert AccessGrant.objects.filter(counterparty=cp).exists()


def test_a_code_of_another_registration_does_not_work(client, billing):
    cp, *_ = billing
    _a1(client, cp, "620001001", "boss@firm.ru")
    mine = _code_for("boss@firm.ru")
    other = Client()
    _a1(other, cp, "620001002", "+79120001122")
    theirs = _code_for("+79120001122")
    if theirs != mine:
        page = client.post(reverse("accounts:register_code"), {"code": theirs}).content.decode()
        assert "Неверный код" in page
    assert not AccessGrant.objects.exists()
    # The other registration's own code works for it.
    assert other.post(reverse("accounts:register_code"), {"code": theirs}).status_code == 302
    assert AccessGrant.objects.count() == 1


# --- A2 ---------------------------------------------------------------------------------------

PERSON = {"last_name": "Петров", "first_name": "Пётр", "middle_name": "Петрович",
          "phone": "+7 912 345-67-89"}  # fmt: skip


def _a2(client, form, **data):
    data = {"password1": PASSWORD, "password2": PASSWORD, "consent": "on"} | data
    return client.post(reverse(f"accounts:register_{form}"), data)


def _confirm_and_check(client, cp, email):
    response = client.post(reverse("accounts:register_code"), {"code": _code_for(email)})
    assert response.status_code == 302
    assert email in client.get(response.url).content.decode()
    user = AccessGrant.objects.get(counterparty=cp).user
    assert user.username == email
    assert user.email == email
    assert Consent.objects.filter(user=user).exists()
    client.logout()
    _log_in(client, email)
    return user


def test_a2_legal_entity(client, db):
    cp = CounterpartyFactory()
    ContractFactory(counterparty=cp)
    page = client.get(reverse("accounts:register_ul")).content.decode()
    assert "Зарегистрироваться" in page and "ОГРН" in page and "КПП" in page
    bad = _a2(client, "ul", inn="7700000001", ogrn="1027700000001", email="a@b.ru")
    assert "ИНН: неверное контрольное число" in bad.content.decode()
    bad = _a2(client, "ul", inn=cp.inn, ogrn="1027700000000", email="a@b.ru")
    assert "ОГРН: неверное контрольное число" in bad.content.decode()
    bad = _a2(client, "ul", inn=cp.inn, kpp="12345", email="a@b.ru")
    assert "КПП" in bad.content.decode()
    unknown = validators.make_ogrn("102779999999")
    bad = _a2(client, "ul", inn=cp.inn, ogrn=unknown, email="a@b.ru").content.decode()
    assert "Контрагент с такими данными не найден" in bad
    assert _a2(client, "ul", inn=cp.inn, kpp=cp.kpp, email="Ul@Firm.ru").status_code == 302
    user = _confirm_and_check(client, cp, "ul@firm.ru")
    assert user.has_usable_password()


def test_a2_entrepreneur(client, db):
    ogrnip = validators.make_ogrnip("30462000000001")
    cp = CounterpartyFactory(kind="ip", inn="", kpp="", ogrn="", ogrnip=ogrnip)
    bad = _a2(client, "ip", ogrnip="304620000000010", email="ip@firm.ru", **PERSON)
    if ogrnip != "304620000000010":
        assert "ОГРНИП: неверное контрольное число" in bad.content.decode()
    bad = _a2(client, "ip", ogrnip=ogrnip, email="ip@firm.ru", **PERSON | {"phone": "12"})
    assert "+7 и 10 цифр" in bad.content.decode()
    assert _a2(client, "ip", ogrnip=ogrnip, email="ip@firm.ru", **PERSON).status_code == 302
    user = _confirm_and_check(client, cp, "ip@firm.ru")
    assert (user.last_name, user.phone) == ("Петров", "+79123456789")


def test_a2_person(client, db):
    snils = validators.make_snils("100000007")
    cp = CounterpartyFactory(kind="fl", inn="", kpp="", ogrn="", snils=snils)
    wrong = snils[:9] + ("00" if snils[9:] != "00" else "01")
    bad = _a2(client, "fl", snils=wrong, email="fl@mail.ru", **PERSON)
    assert "СНИЛС: неверное контрольное число" in bad.content.decode()
    printed = f"{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}"
    assert _a2(client, "fl", snils=printed, email="fl@mail.ru", **PERSON).status_code == 302
    _confirm_and_check(client, cp, "fl@mail.ru")


def test_a2_email_taken(client, db):
    cp = CounterpartyFactory()
    UserFactory(email="taken@firm.ru")
    page = _a2(client, "ul", inn=cp.inn, ogrn=cp.ogrn, email="taken@firm.ru").content.decode()
    assert "уже используется" in page


def test_a1_counterparty_contact_and_early_resend(client, billing):
    cp, *_ = billing
    Contact.objects.create(billing_id="C-3", counterparty=cp, kind="email", value="acc@firm.ru")
    assert _a1(client, cp, "620001002", "acc@firm.ru").status_code == 302
    response = client.post(reverse("accounts:register_code"), {"resend": "1"}, follow=True)
    assert "Новый код можно запросить через" in response.content.decode()
    assert OutboxMessage.objects.filter(recipient="acc@firm.ru").count() == 1
    page = client.post(reverse("accounts:register_code"), {"code": "000000"}).content.decode()
    if _code_for("acc@firm.ru") != "000000":
        assert "Неверный код" in page


# --- `moderated` (A5): A1 and A2 go to the operators' queue (O1) ------------------------------


def _operator_client(operator):
    staff = Client()
    otp_login(staff, operator)
    return staff


def test_a1_moderated_request_then_approval(client, billing, settings, operator):
    settings.LKK_VERIFICATION_POLICY = "moderated"
    cp, *_ = billing
    assert _a1(client, cp, "620001002", "+79120001122").status_code == 302
    response = client.post(reverse("accounts:register_code"), {"code": _code_for("+79120001122")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Заявка передана администратору." in page
    assert "lkk_registration" not in client.session
    login = f"{cp.inn}620001002"
    req = RegistrationRequest.objects.get()
    assert req.state == RegistrationRequest.State.PENDING
    assert (req.username, req.counterparty, req.contract_numbers) == (login, cp, ["620001002"])
    assert req.phone == "+79120001122" and req.inn == cp.inn
    assert not AccessGrant.objects.exists()
    assert not get_user_model().objects.filter(username=login).exists()
    assert not client.get(reverse("customers:home")).wsgi_request.user.is_authenticated

    staff = _operator_client(operator)
    queue = staff.get(reverse("backoffice:moderation_queue")).content.decode()
    assert login in queue
    detail = staff.get(reverse("backoffice:moderation_detail", args=[req.pk])).content.decode()
    assert "620001002" in detail
    decide = reverse("backoffice:moderation_decide", args=[req.pk])
    assert staff.post(decide, {"action": "approve", "scope": "all"}).status_code == 302
    req.refresh_from_db()
    assert req.state == RegistrationRequest.State.APPROVED
    grant = AccessGrant.objects.get(counterparty=cp)
    assert grant.user.username == login and grant.user == req.user
    sms = OutboxMessage.objects.filter(recipient="+79120001122", channel="sms").order_by("-pk")[0]
    assert login in sms.body
    _log_in(client, login)


def test_a1_moderated_by_email_link(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "moderated"
    cp, *_ = billing
    assert _a1(client, cp, "620001001", "boss@firm.ru").status_code == 302
    body = OutboxMessage.objects.get(recipient="boss@firm.ru").body
    token = re.search(r"\?t=(\S+)", body).group(1)
    page = client.get(f"{reverse('accounts:register_link')}?t={token}").content.decode()
    assert "О решении мы сообщим по электронной почте." in page
    req = RegistrationRequest.objects.get()
    assert (req.state, req.email) == (RegistrationRequest.State.PENDING, "boss@firm.ru")
    assert not AccessGrant.objects.exists()


def test_a2_moderated_approval_and_rejection(client, db, settings, operator):
    settings.LKK_VERIFICATION_POLICY = "moderated"
    cp = CounterpartyFactory()
    ContractFactory(counterparty=cp)
    assert _a2(client, "ul", inn=cp.inn, kpp=cp.kpp, email="Ul@Firm.ru").status_code == 302
    response = client.post(reverse("accounts:register_code"), {"code": _code_for("ul@firm.ru")})
    assert "О решении мы сообщим по электронной почте." in response.content.decode()
    req = RegistrationRequest.objects.get()
    assert (req.state, req.username, req.counterparty) == ("pending", "ul@firm.ru", cp)
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
    approved = OutboxMessage.objects.filter(recipient="ul@firm.ru").order_by("-pk")[0]
    assert "о предоставлении прав доступа" in approved.subject
    client.logout()
    _log_in(client, "ul@firm.ru")

    # A second registration of another counterparty, rejected with a reason.
    other = CounterpartyFactory()
    ContractFactory(counterparty=other)
    client.logout()
    assert _a2(client, "ul", inn=other.inn, kpp=other.kpp, email="no@firm.ru").status_code == 302
    client.post(reverse("accounts:register_code"), {"code": _code_for("no@firm.ru")})
    req = RegistrationRequest.objects.get(username="no@firm.ru")
    decide = reverse("backoffice:moderation_decide", args=[req.pk])
    staff.post(decide, {"action": "reject", "reason": "Нет доверенности"})
    req.refresh_from_db()
    assert req.state == RegistrationRequest.State.REJECTED
    assert not users.filter(username="no@firm.ru").exists()
    rejected = OutboxMessage.objects.filter(recipient="no@firm.ru").order_by("-pk")[0]
    assert "Нет доверенности" in rejected.body


def test_a1_under_auto_is_unchanged(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "auto"
    cp, *_ = billing
    _a1(client, cp, "620001002", "+79120001122")
    response = client.post(reverse("accounts:register_code"), {"code": _code_for("+79120001122")})
    assert response.url == reverse("accounts:register_done")
    assert not RegistrationRequest.objects.exists()


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
