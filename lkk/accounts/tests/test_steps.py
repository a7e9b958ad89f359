"""Multi-step registration (A3, seed 002) under both verification policies (A5)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from lkk.accounts import steps
from lkk.accounts.models import RegistrationRequest
from lkk.customers.models import AccessGrant, Contract
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory
from lkk.notifications.models import OutboxMessage

PASSWORD = "Зелёный-слон-2024"
URL = "/accounts/register/steps/"


@pytest.fixture(autouse=True)
def captcha_passes(monkeypatch, settings):
    from captcha.conf import settings as captcha_settings

    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


@pytest.fixture
def billing(db):
    cp = CounterpartyFactory()
    first = ContractFactory(counterparty=cp, number="730001001")
    second = ContractFactory(counterparty=cp, number="730001002")
    old = ContractFactory(counterparty=cp, number="730001003", status=Contract.Status.TERMINATED)
    return cp, first, second, old


def step1(client, **extra):
    data = {
        "step": "1",
        "username": "firm-boss",
        "email": "Boss@Firm.ru",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "captcha_0": "x",
        "captcha_1": "PASSED",
    } | extra
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


def link_of(email: str) -> str:
    message = OutboxMessage.objects.filter(recipient=email).order_by("-pk").first()
    assert message is not None
    return re.search(r"http://testserver(\S+)", message.body).group(1)


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
    assert "/accounts/register/steps/" in client.get(reverse("accounts:register")).content.decode()


def test_steps_resume_edit_from_step_3_and_add_contract(client, billing, settings):
    cp, first, second, _old = billing
    assert step1(client).status_code == 302
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
    data = client.session[steps.SESSION_KEY]
    assert data["1"]["email"] == "other@firm.ru" and "2" in data
    page = client.get(URL).content.decode()  # back at step 3 with what was typed there
    assert "Шаг 3. Информация о компании" in page
    assert f'value="{second.number}"' in page and f'value="{cp.inn}"' in page
    response = step3(client, cp, [first.number, second.number])
    assert response.status_code == 200
    assert "other@firm.ru" in response.content.decode()
    req = RegistrationRequest.objects.get()
    assert req.state == RegistrationRequest.State.DRAFT
    assert req.contract_numbers == [first.number, second.number]
    assert req.counterparty == cp and req.last_name == "Петров" and req.phone == "+79120001122"
    assert steps.SESSION_KEY not in client.session


def test_auto_policy_grants_access_after_the_link(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "auto"
    cp, first, *_ = billing
    step1(client)
    step2(client)
    step3(client, cp, [first.number])
    response = client.get(link_of("boss@firm.ru"))
    assert response.status_code == 302
    req = RegistrationRequest.objects.get()
    assert req.state == RegistrationRequest.State.APPROVED
    grant = AccessGrant.objects.get(user=req.user)
    assert grant.counterparty == cp and grant.all_contracts
    # The link works once.
    assert "уже использована" in client.get(link_of("boss@firm.ru")).content.decode()


def test_auto_policy_refuses_unknown_contract(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "auto"
    cp, *_ = billing
    step1(client)
    step2(client)
    response = step3(client, cp, ["NOPE-1"])
    assert "Ошибка регистрации! Контрагент не найден!" in response.content.decode()
    assert not RegistrationRequest.objects.exists()


def test_moderated_policy_queues_the_request(client, billing, settings):
    settings.LKK_VERIFICATION_POLICY = "moderated"
    cp, *_ = billing
    step1(client)
    step2(client)
    step3(client, cp, ["UNKNOWN-7"])  # a mismatch is the operator's to judge
    response = client.get(link_of("boss@firm.ru"))
    assert "Заявка передана администратору" in response.content.decode()
    req = RegistrationRequest.objects.get()
    assert req.state == RegistrationRequest.State.PENDING and req.user is None
    assert not AccessGrant.objects.exists()


def test_step_errors_are_shown(client, billing, settings):
    response = step1(client, password2="другой")
    assert "Пароли не совпадают" in response.content.decode()
    response = step1(client, captcha_1="WRONG")
    assert response.status_code == 200
