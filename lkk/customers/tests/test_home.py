"""«Главная»'s contracts: the counterparty's name comes with the grants, or from the contract."""

import re

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


def test_the_card_shows_what_the_database_holds_now(client, customer_a):
    """The card's statement is kept between requests (lkk/core/lists.py kept_values): a meter
    put in service, and a new reading, show at once."""
    from lkk.customers.tests.factories import MeterFactory, ReadingFactory

    client.force_login(customer_a.user)
    url = reverse("customers:home")
    for _ in range(2):
        card = client.get(url).context["summary"]
        assert card == {"points": 1, "meters": 1}
    meter = MeterFactory(
        metering_point__consumption_object__contract=customer_a.contract,
        serial_number="SN-NEW-1",
    )
    response = client.get(url)
    assert response.context["summary"] == {"points": 2, "meters": 2}
    assert "SN-NEW-1" in response.content.decode()
    ReadingFactory(meter=meter, value=4242)
    body = client.get(url).content.decode()
    assert re.search(
        r"SN-NEW-1</a></td><td>25\.10\.2026</td><td>[^<]*<span[^>]*>[^<]*4\s242,", body
    )
