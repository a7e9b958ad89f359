"""«Привязать договор» (A9, seed 003): verified as registration A1, then a grant."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from lkk.audit.models import AuditEvent
from lkk.customers.models import AccessGrant, Contact, Contract
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory, UserFactory
from lkk.notifications.models import OutboxMessage


def _code_for(recipient: str) -> str:
    message = OutboxMessage.objects.filter(recipient=recipient).order_by("-pk").first()
    assert message is not None, f"no message to {recipient}"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


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
    assert "Код отправлен на boss@firm.ru." in page
    code = _code_for("boss@firm.ru")
    response = client.post(reverse("accounts:binding_code"), {"code": code})
    assert response.status_code == 302 and response.url == reverse("customers:home")
    grant = AccessGrant.objects.get(user=user, counterparty=other)
    assert grant.all_contracts
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.GRANT_ADDED, user=user)
    assert event.details["counterparty"] == other.pk
    home = client.get(reverse("customers:home")).content.decode()
    assert first.number in home and second.number in home and "100000001" in home
    assert "привязаны к вашему личному кабинету" in home


def test_binding_by_phone_of_the_contract(client, setup):
    user, _own, other, _first, second = setup
    client.force_login(user)
    assert _start(client, other, second.number, "8 (912) 000-11-22").status_code == 302
    code = _code_for("+79120001122")
    client.post(reverse("accounts:binding_code"), {"code": code})
    assert AccessGrant.objects.filter(user=user, counterparty=other).exists()


def test_contract_not_found(client, setup):
    user, _own, other, _first, _second = setup
    client.force_login(user)
    page = _start(client, other, "000000000", "boss@firm.ru").content.decode()
    assert "Договор не найден: проверьте ИНН и номер договора." in page
    assert not OutboxMessage.objects.exists()


def test_contact_not_in_the_contract(client, setup):
    user, _own, other, first, _second = setup
    client.force_login(user)
    # The phone is listed in the second contract, not in the first.
    page = _start(client, other, first.number, "+79120001122").content.decode()
    assert "Этот телефон (email) не указан в договоре." in page
    page = _start(client, other, first.number, "nobody@example.ru").content.decode()
    assert "Этот телефон (email) не указан в договоре." in page
    assert not OutboxMessage.objects.exists()


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
    code = _code_for("boss@firm.ru")
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("accounts:binding_code"), {"code": wrong})
    assert response.status_code == 200
    assert not AccessGrant.objects.filter(user=user, counterparty=other).exists()


def test_pending_of_another_user_is_not_used(client, setup):
    user, _own, other, first, _second = setup
    client.force_login(user)
    _start(client, other, first.number, "boss@firm.ru")
    code = _code_for("boss@firm.ru")
    session = client.session
    session["lkk_binding"] = session["lkk_binding"] | {"user_id": user.pk + 1000}
    session.save()
    client.post(reverse("accounts:binding_code"), {"code": code})
    assert not AccessGrant.objects.filter(counterparty=other).exists()


def test_binding_is_for_customers_only(client, db):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("accounts:binding")).status_code in (302, 403)
    assert not Contract.objects.exists()


def test_binding_requires_login(client, db):
    response = client.get(reverse("accounts:binding"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
