"""An account may exist before any access (A5): «Главная» says how to get it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lkk.accounts.models import RegistrationRequest
from lkk.customers.tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_account_without_access_is_told_how_to_get_it(client):
    user = UserFactory(username="newcomer")
    client.force_login(user)
    page = client.get(reverse("customers:home")).content.decode()
    assert 'data-testid="no-access"' in page
    assert "К личному кабинету пока не привязан ни один договор." in page
    assert reverse("accounts:binding") in page


def test_a_binding_waiting_for_an_operator_is_shown(client):
    user = UserFactory(username="newcomer")
    contract = ContractFactory(counterparty__short_name="ООО «Гамма»")
    req = RegistrationRequest.objects.create(
        way=RegistrationRequest.Way.BINDING,
        state=RegistrationRequest.State.PENDING,
        user=user,
        counterparty=contract.counterparty,
        channel="email",
        contact="gamma@example.ru",
    )
    client.force_login(user)
    page = client.get(reverse("customers:home")).content.decode()
    assert f"Заявка № {req.pk} (ООО «Гамма») на проверке у оператора" in page
    assert contract.number not in page, "a request under review opens nothing"


def test_a_customer_with_access_sees_no_such_box(client, customer_a):
    client.force_login(customer_a.user)
    page = client.get(reverse("customers:home")).content.decode()
    assert 'data-testid="no-access"' not in page
    assert customer_a.contract.number in page
