"""O1: operators approve or reject registration requests (A5 `moderated`)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lkk.accounts import moderation
from lkk.accounts.models import RegistrationRequest
from lkk.audit.models import AuditEvent
from lkk.core.errors import ApplicationError
from lkk.customers.access import access_scope
from lkk.customers.models import AccessGrant, Contract
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory
from lkk.notifications.models import OutboxMessage

PASSWORD = "Зелёный-слон-2024"
QUEUE = "/backoffice/registrations/"


def otp_login(client, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post(reverse("accounts:otp_verify"), {"code": f"{code:06d}"})
    assert response.status_code == 302


@pytest.fixture
def pending(db):
    cp = CounterpartyFactory()
    first = ContractFactory(counterparty=cp, number="740001001")
    second = ContractFactory(counterparty=cp, number="740001002")
    ContractFactory(counterparty=cp, number="740001003", status=Contract.Status.TERMINATED)
    req = RegistrationRequest.objects.create(
        state=RegistrationRequest.State.PENDING,
        username="new-client",
        email="new@client.ru",
        password_hash=make_password(PASSWORD),
        first_name="Анна",
        last_name="Смирнова",
        phone="+79120003344",
        company_kind="ul",
        inn=cp.inn,
        kpp=cp.kpp,
        company_name=cp.name,
        existing_counterparty=True,
        contract_numbers=[first.number, "NOPE-9"],
        counterparty=cp,
    )
    return req, cp, first, second


def test_the_queue_and_the_detail_show_entered_beside_billing(client, operator, pending):
    req, cp, _first, second = pending
    otp_login(client, operator)
    assert "new-client" in client.get(QUEUE).content.decode()
    page = client.get(f"{QUEUE}{req.pk}/").content.decode()
    assert cp.name in page and cp.inn in page and second.number in page
    assert "есть в биллинге" in page and "NOPE-9 — не найден" in page
    assert "Расторгнут" in page or "TERMINATED" in page or "расторгнут" in page.lower()


def test_a_customer_and_a_visitor_cannot_open_the_queue(client, customer_a, pending):
    assert client.get(QUEUE).status_code == 302
    client.force_login(customer_a.user)
    assert client.get(QUEUE).status_code == 404
    assert client.get(f"{QUEUE}{pending[0].pk}/").status_code == 404
    assert client.post(f"{QUEUE}{pending[0].pk}/decide/", {"action": "reject"}).status_code == 404


def test_approve_with_all_contracts(client, operator, pending):
    req, *_ = pending
    otp_login(client, operator)
    response = client.post(f"{QUEUE}{req.pk}/decide/", {"action": "approve", "scope": "all"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == "approved" and req.decided_by == operator and req.decided_at
    grant = AccessGrant.objects.get(user=req.user)
    assert grant.all_contracts and grant.granted_by == operator
    mail = OutboxMessage.objects.get(recipient="new@client.ru", kind="registration_approved")
    assert "прав доступа" in mail.subject
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.REGISTRATION_APPROVED).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.OPERATOR_ACTION).exists()
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"username": "new-client", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_approve_with_some_contracts_limits_what_the_user_sees(client, operator, pending):
    req, _cp, first, _second = pending
    otp_login(client, operator)
    client.post(
        f"{QUEUE}{req.pk}/decide/",
        {"action": "approve", "scope": "some", "contracts": [str(first.pk)]},
    )
    req.refresh_from_db()
    grant = AccessGrant.objects.get(user=req.user)
    assert not grant.all_contracts
    assert list(grant.contracts.all()) == [first]
    scope = access_scope(req.user)
    visible = Contract.objects.filter(scope.contract_condition("", "counterparty"))
    assert list(visible) == [first]


def test_reject_needs_a_reason_and_emails_it(client, operator, pending):
    req, *_ = pending
    otp_login(client, operator)
    client.post(f"{QUEUE}{req.pk}/decide/", {"action": "reject", "reason": " "})
    req.refresh_from_db()
    assert req.state == "pending"
    client.post(f"{QUEUE}{req.pk}/decide/", {"action": "reject", "reason": "Нет доверенности"})
    req.refresh_from_db()
    assert req.state == "rejected" and req.rejection_reason == "Нет доверенности"
    mail = OutboxMessage.objects.get(recipient="new@client.ru", kind="registration_rejected")
    assert "Нет доверенности" in mail.body
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.REGISTRATION_REJECTED).exists()
    assert not AccessGrant.objects.exists()


def test_transitions_refuse_wrong_moves(pending, operator):
    req, *_ = pending
    with pytest.raises(ApplicationError):
        moderation.request_email_confirm(pk=req.pk)
    moderation.request_reject(pk=req.pk, operator=operator, reason="Дубликат")
    with pytest.raises(ApplicationError):
        moderation.request_approve(pk=req.pk, operator=operator, contract_ids=None)
