"""«Привязать договор» (A9, seed 003): verified as registration A1 is, then a grant to the
existing account — through the one pipeline (lkk/accounts/services/registration.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lkk.accounts.models import RegistrationRequest
from lkk.accounts.services import registration as pipeline
from lkk.accounts.tests.helpers import code_for, otp_login, wrong_code
from lkk.audit.models import AuditEvent
from lkk.customers.models import AccessGrant, Contact
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory, UserFactory
from lkk.notifications.models import OutboxMessage

CODE = "/accounts/binding/code/"
State = RegistrationRequest.State


@pytest.fixture
def setup(db):
    """A customer with one counterparty, and another counterparty to bind (email on file)."""
    own = CounterpartyFactory()
    ContractFactory(counterparty=own, number="100000001")
    user = UserFactory()
    AccessGrant.objects.create(user=user, counterparty=own, all_contracts=True)
    other = CounterpartyFactory()
    first = ContractFactory(counterparty=other, number="620001001")
    second = ContractFactory(counterparty=other, number="620001002")
    Contact.objects.create(
        billing_id="C-1", counterparty=other, contract=first, kind="email", value="Boss@Firm.ru"
    )
    Contact.objects.create(
        billing_id="C-2", counterparty=other, contract=second, kind="phone", value="+79120001122"
    )
    return user, own, other, first, second


def _start(client, cp, number, contact):
    data = {"inn": cp.inn, "contract_number": number, "contact": contact}
    return client.post(reverse("accounts:binding"), data)


def test_profile_links_to_binding(client, setup):
    user, *_ = setup
    client.force_login(user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Привязать договор" in page and reverse("accounts:binding") in page


def test_binding_happy_path(client, setup):
    user, _own, other, first, second = setup
    client.force_login(user)
    response = _start(client, other, first.number, "boss@firm.ru")
    assert response.status_code == 302
    assert response.url == reverse("accounts:binding_code")
    page = client.get(response.url).content.decode()
    assert "Подтверждение привязки договора" in page
    assert "Код отправлен на boss@firm.ru." in page
    message = OutboxMessage.objects.get(recipient="boss@firm.ru")
    assert first.number in message.body and "привязки договора" in message.body
    req = RegistrationRequest.objects.get()
    assert (req.way, req.user, req.counterparty) == ("binding", user, other)
    assert client.session[pipeline.SESSION_KEY] == req.pk

    response = client.post(CODE, {"code": code_for("boss@firm.ru")})
    assert response.status_code == 302 and response.url == reverse("customers:home")
    req.refresh_from_db()
    assert req.state == State.APPROVED
    grant = AccessGrant.objects.get(user=user, counterparty=other)
    assert grant.all_contracts
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.GRANT_ADDED, user=user)
    assert event.details["counterparty"] == other.pk
    home = client.get(reverse("customers:home")).content.decode()
    assert first.number in home and second.number in home and "100000001" in home
    assert "привязаны к вашему личному кабинету" in home
    # The same person still has one account, and the approval message went to the contact.
    assert AccessGrant.objects.filter(user=user).count() == 2
    assert OutboxMessage.objects.filter(recipient="boss@firm.ru").count() == 2


def test_binding_by_phone_of_another_contract_of_the_counterparty(client, setup):
    """A5: a contact billing lists in any of the counterparty's contracts proves it."""
    user, _own, other, first, _second = setup
    client.force_login(user)
    assert _start(client, other, first.number, "8 (912) 000-11-22").status_code == 302
    assert OutboxMessage.objects.get(recipient="+79120001122").channel == "sms"
    client.post(CODE, {"code": code_for("+79120001122")})
    assert AccessGrant.objects.get(user=user, counterparty=other).all_contracts


def test_contract_not_found(client, setup):
    user, _own, other, _first, _second = setup
    client.force_login(user)
    page = _start(client, other, "000000000", "boss@firm.ru").content.decode()
    assert "Договор не найден: проверьте ИНН и номер договора." in page
    assert not OutboxMessage.objects.exists()


def test_contact_not_on_file(client, setup):
    user, own, other, first, _second = setup
    client.force_login(user)
    page = _start(client, other, first.number, "nobody@example.ru").content.decode()
    assert "Этот телефон (email) не указан в договоре." in page
    # A contact of another counterparty does not prove this one.
    Contact.objects.create(billing_id="C-9", counterparty=own, kind="email", value="own@firm.ru")
    page = _start(client, other, first.number, "own@firm.ru").content.decode()
    assert "Этот телефон (email) не указан в договоре." in page
    assert not OutboxMessage.objects.exists()
    assert not RegistrationRequest.objects.exists()


def test_already_bound(client, setup):
    user, own, _other, _first, _second = setup
    Contact.objects.create(
        billing_id="C-3", counterparty=own, contract=None, kind="email", value="own@firm.ru"
    )
    client.force_login(user)
    page = _start(client, own, "100000001", "own@firm.ru").content.decode()
    assert "Этот контрагент уже привязан к вашему личному кабинету." in page
    assert not OutboxMessage.objects.exists()


def test_wrong_code(client, setup):
    user, _own, other, first, _second = setup
    client.force_login(user)
    _start(client, other, first.number, "boss@firm.ru")
    response = client.post(CODE, {"code": wrong_code(code_for("boss@firm.ru"))})
    assert response.status_code == 200
    assert "Неверный код" in response.content.decode()
    assert not AccessGrant.objects.filter(user=user, counterparty=other).exists()


def test_a_binding_of_another_user_is_not_used(client, setup):
    """The session names a request; it confirms only the logged-in user's own binding."""
    user, _own, other, first, _second = setup
    client.force_login(user)
    _start(client, other, first.number, "boss@firm.ru")
    req = RegistrationRequest.objects.get()
    intruder = Client()
    intruder.force_login(UserFactory())
    session = intruder.session
    session[pipeline.SESSION_KEY] = req.pk
    session.save()
    page = intruder.post(CODE, {"code": code_for("boss@firm.ru")}).content.decode()
    assert "Запрос на привязку не найден. Начните заново." in page
    assert not AccessGrant.objects.filter(counterparty=other).exists()
    # Nor does a registration page finish it.
    intruder.post("/accounts/register/code/", {"code": code_for("boss@firm.ru")})
    assert not AccessGrant.objects.filter(counterparty=other).exists()
    assert RegistrationRequest.objects.get().state == State.DRAFT


def test_moderated_binding_waits_for_the_operator(client, setup, settings, operator):
    settings.LKK_VERIFICATION_POLICY = "moderated"
    user, _own, other, first, second = setup
    client.force_login(user)
    _start(client, other, first.number, "boss@firm.ru")
    page = client.post(CODE, {"code": code_for("boss@firm.ru")}).content.decode()
    assert "Заявка передана на проверку" in page
    req = RegistrationRequest.objects.get()
    assert req.state == State.PENDING
    assert not AccessGrant.objects.filter(user=user, counterparty=other).exists()
    staff = Client()
    otp_login(staff, operator)
    decide = reverse("backoffice:moderation_decide", args=[req.pk])
    staff.post(decide, {"action": "approve", "scope": "some", "contracts": [str(second.pk)]})
    grant = AccessGrant.objects.get(user=user, counterparty=other)
    assert not grant.all_contracts and list(grant.contracts.all()) == [second]
    # The existing account, not a new one.
    req.refresh_from_db()
    assert req.user == user and req.state == State.APPROVED


def test_binding_is_for_customers_only(client, db):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("accounts:binding")).status_code in (302, 403)
    assert client.post(reverse("accounts:binding"), {}).status_code in (302, 403)
    assert not RegistrationRequest.objects.exists()


def test_binding_requires_login(client, db):
    for url in (reverse("accounts:binding"), CODE):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
