"""«Главная»'s contracts: the counterparty's name comes with the grants, or from the contract."""

from django.urls import reverse

from lkk.customers.models import AccessGrant
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory, UserFactory


def test_a_contract_granted_apart_from_its_counterparty_shows_its_own_counterparty(client, db):
    """A grant lists a contract of another counterparty (the schema does not refuse it): the
    list shows the contract's own counterparty, whose name is not among the grants'."""
    granted, other = CounterpartyFactory(), CounterpartyFactory()
    contract = ContractFactory(counterparty=other, number="T-APART")
    user = UserFactory()
    grant = AccessGrant.objects.create(user=user, counterparty=granted, all_contracts=False)
    grant.contracts.add(contract)
    client.force_login(user)
    body = client.get(reverse("customers:home")).content.decode()
    assert "T-APART" in body
    assert f"{other.short_name} · 15.01.2020" in body
