"""Multi-step registration (A3, seed 002) under both verification policies (A5).

The draft `RegistrationRequest` keeps the finished steps (the session only its id); «Создать
аккаунт» sends the email link; the way grants the contracts listed, and only with proof.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lkk.accounts.models import RegistrationRequest
from lkk.accounts.services import registration as pipeline
from lkk.accounts.tests.helpers import CAPTCHA, PASSWORD, link_of, log_in
from lkk.customers.models import AccessGrant, Contact, Contract
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory
from lkk.notifications.models import OutboxMessage

URL = "/accounts/register/steps/"
State = RegistrationRequest.State

pytestmark = pytest.mark.usefixtures("captcha_passes")


@pytest.fixture
def billing(db):
    cp = CounterpartyFactory()
    first = ContractFactory(counterparty=cp, number="730001001")
    second = ContractFactory(counterparty=cp, number="730001002")
    old = ContractFactory(counterparty=cp, number="730001003", status=Contract.Status.TERMINATED)
    return cp, first, second, old


def on_file(cp, email: str = "boss@firm.ru") -> None:
    Contact.objects.create(billing_id=f"E-{email}", counterparty=cp, kind="email", value=email)


def step1(client, **extra):
    data = (
        {
            "step": "1",
            "username": "firm-boss",
            "email": "Boss@Firm.ru",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        | CAPTCHA
        | extra
    )
    return client.post(URL, data)


def step2(client, **extra):
    data = {
        "step": "2",
        "first_name": "Иван",
        "last_name": "Петров",
        "middle_name": "",
        "phone": "+7 912 000-11-22",
    } | extra
    return client.post(URL, data)


def step3(client, cp, numbers, **extra):
    data = {
        "step": "3",
        "company_kind": "ul",
        "inn": cp.inn,
        "kpp": cp.kpp,
        "company_name": cp.name,
        "existing_counterparty": "on",
        "contract_number": numbers,
        "consent": "on",
        "create": "1",
    } | extra
    return client.post(URL, data)


def all_steps(client, cp, numbers, **extra):
    assert step1(client).status_code == 302
    assert step2(client).status_code == 302
    return step3(client, cp, numbers, **extra)


def test_the_first_step_shows_the_seed_labels(client, db):
    page = client.get(URL).content.decode()
    for text in (
        "Шаг 1. Данные аккаунта",
        "Логин",
        "Электронная почта",
        "Пароль",
        "Повторите пароль",
        "Введите то, что видите на картинке",
        "Следующий шаг",
    ):
        assert text in page
    assert URL in client.get(reverse("accounts:register")).content.decode()


def test_steps_resume_edit_from_step_3_and_add_contract(client, billing):
    cp, first, second, _old = billing
    assert step1(client).status_code == 302
    req = RegistrationRequest.objects.get()
    assert (req.way, req.state, req.steps_done) == ("steps", State.DRAFT, ["1"])
    # The session keeps only the request's id: no password, hash or contact.
    assert dict(client.session.items()) == {pipeline.SESSION_KEY: req.pk}
    # Leaving and coming back resumes at the next step, with the summary of step 1.
    page = client.get(URL).content.decode()
    assert "Шаг 2. Личная информация" in page and "Следующая страница" in page
    assert "firm-boss" in page and "Редактировать" in page
    assert "Хотите использовать другой адрес электронной почты?" in page
    assert step2(client).status_code == 302
    page = client.get(URL).content.decode()
    for text in ("Шаг 3. Информация о компании", "Тип организации", "ИНН", "КПП",
                 "Наименование организации", "Действующий контрагент", "Номера договоров",
                 "Добавить договор", "Создать аккаунт"):  # fmt: skip
        assert text in page
    # «Добавить договор» re-renders the step with one more number field, keeping what was typed.
    response = step3(client, cp, [first.number], create="", add_contract="1")
    page = response.content.decode()
    assert page.count('name="contract_number"') == 2
    assert first.number in page and cp.inn in page
    # Edit step 1 from step 3: a new email, the password kept; steps 2 and 3 stay.
    response = step3(client, cp, [first.number, second.number], create="", edit_step="1")
    assert response.status_code == 302 and response.url.endswith("?step=1")
    assert "Логин" in client.get(response.url).content.decode()
    response = step1(client, email="other@firm.ru", password1="", password2="")
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.email == "other@firm.ru" and set(req.steps_done) >= {"1", "2"}
    assert req.last_name == "Петров" and req.password_hash
    page = client.get(URL).content.decode()  # back at step 3 with what was typed there
    assert "Шаг 3. Информация о компании" in page
    assert f'value="{second.number}"' in page and f'value="{cp.inn}"' in page
    response = step3(client, cp, [first.number, second.number])
    assert response.status_code == 200
    assert "На адрес other@firm.ru отправлено письмо со ссылкой" in response.content.decode()
    req.refresh_from_db()
    assert req.state == State.DRAFT
    assert req.contract_numbers == [first.number, second.number]
    assert set(req.contracts.all()) == {first, second}
    assert req.counterparty == cp and req.last_name == "Петров" and req.phone == "+79120001122"
    assert not req.all_contracts and not req.contact_on_file
    assert pipeline.SESSION_KEY not in client.session
    message = OutboxMessage.objects.get()
    assert message.recipient == "other@firm.ru" and "/accounts/register/link/?t=" in message.body
    assert RegistrationRequest.objects.count() == 1


def test_auto_with_the_email_on_file_grants_the_listed_contracts(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "auto"
    cp, first, second, _old = billing
    on_file(cp)
    all_steps(client, cp, [first.number])
    link = link_of("boss@firm.ru")
    response = Client().get(link)
    assert response.status_code == 302 and response.url == reverse("customers:home")
    req = RegistrationRequest.objects.get()
    assert req.state == State.APPROVED
    grant = AccessGrant.objects.get(user=req.user)
    assert grant.counterparty == cp and not grant.all_contracts
    assert list(grant.contracts.all()) == [first]
    # The link works once.
    assert "уже использована" in client.get(link).content.decode()
    log_in(client, "firm-boss")
    home = client.get(reverse("customers:home")).content.decode()
    assert first.number in home and second.number not in home


def test_auto_without_the_email_on_file_queues_the_request(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "auto"
    cp, first, *_ = billing
    all_steps(client, cp, [first.number])
    page = client.get(link_of("boss@firm.ru")).content.decode()
    assert "Заявка передана на проверку" in page
    req = RegistrationRequest.objects.get()
    assert req.state == State.PENDING and req.user is None
    assert not AccessGrant.objects.exists()


def test_auto_policy_refuses_unknown_contract(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "auto"
    cp, first, *_ = billing
    on_file(cp)
    response = all_steps(client, cp, [first.number, "NOPE-1"])
    assert "Ошибка регистрации! Контрагент не найден!" in response.content.decode()
    assert not OutboxMessage.objects.exists()
    assert RegistrationRequest.objects.get().state == State.DRAFT
    stranger = CounterpartyFactory()
    response = step3(client, stranger, [first.number])
    assert "Ошибка регистрации! Контрагент не найден!" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_moderated_policy_queues_the_request(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "moderated"
    cp, *_ = billing
    on_file(cp)
    all_steps(client, cp, ["UNKNOWN-7"])  # a mismatch is the operator's to judge
    response = client.get(link_of("boss@firm.ru"))
    assert "Заявка передана на проверку" in response.content.decode()
    req = RegistrationRequest.objects.get()
    assert req.state == State.PENDING and req.user is None
    assert req.contract_numbers == ["UNKNOWN-7"] and not req.contracts.exists()
    assert not AccessGrant.objects.exists()


def test_step_errors_are_shown(client, billing):
    response = step1(client, password2="другой")
    assert "Пароли не совпадают" in response.content.decode()
    response = step1(client, captcha_1="WRONG")
    assert "Неверный код с картинки" in response.content.decode()
    assert not RegistrationRequest.objects.exists()
    assert step1(client).status_code == 302
    response = step2(client, phone="12")
    assert "+7 и 10 цифр" in response.content.decode()
    assert step2(client).status_code == 302
    cp, *_ = billing
    response = step3(client, cp, [""])
    assert "Введите номер договора." in response.content.decode()
    response = step3(client, cp, ["730001001"], consent="")
    assert "Без согласия с Пользовательским соглашением" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_a_later_step_cannot_be_skipped_to(client, db):
    page = client.get(URL, {"step": "3"}).content.decode()
    assert "Шаг 1. Данные аккаунта" in page
    response = client.post(URL, {"step": "3", "company_kind": "ul"})
    assert "Шаг 1. Данные аккаунта" in response.content.decode()
    assert not RegistrationRequest.objects.exists()


def test_login_taken_by_a_queued_request(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "moderated"
    cp, first, *_ = billing
    all_steps(client, cp, [first.number])
    client.get(link_of("boss@firm.ru"))
    assert RegistrationRequest.objects.get().state == State.PENDING
    response = step1(Client(), email="second@firm.ru")
    assert "Этот логин уже занят." in response.content.decode()
