"""The counterparty switcher top left (A10): the choice narrows every page in one place."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lkk.customers.models import AccessGrant
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory, UserFactory

SWITCH = "customers:switch_counterparty"


@pytest.fixture
def two(db):
    user = UserFactory()
    a = CounterpartyFactory(short_name="ООО «Альфа»")
    b = CounterpartyFactory(short_name="ООО «Бета»")
    ContractFactory(counterparty=a, number="111000001")
    ContractFactory(counterparty=b, number="222000001")
    for cp in (a, b):
        AccessGrant.objects.create(user=user, counterparty=cp, all_contracts=True)
    return user, a, b


def _who(client, url: str) -> str:
    page = client.get(url).content.decode()
    start = page.index('data-testid="who"')
    return page[start : page.index("</form>", start)]


def test_several_counterparties_see_the_switcher(client, two):
    user, _a, _b = two
    client.force_login(user)
    page = client.get(reverse("customers:home")).content.decode()
    assert 'data-testid="counterparty-switcher"' in page
    assert "Все контрагенты" in page and "ООО «Альфа»" in page and "ООО «Бета»" in page
    contracts = client.get(reverse("customers:contract_list")).content.decode()
    assert "111000001" in contracts and "222000001" in contracts


def test_one_counterparty_sees_no_switcher(client, db):
    user = UserFactory()
    cp = CounterpartyFactory()
    AccessGrant.objects.create(user=user, counterparty=cp, all_contracts=True)
    client.force_login(user)
    page = client.get(reverse("customers:home")).content.decode()
    assert 'data-testid="counterparty-switcher"' not in page


def test_switching_narrows_lists_home_and_header(client, two):
    user, a, b = two
    client.force_login(user)
    response = client.post(reverse(SWITCH), {"counterparty": b.pk})
    assert response.status_code == 302
    contracts = client.get(reverse("customers:contract_list")).content.decode()
    assert "222000001" in contracts and "111000001" not in contracts
    home = client.get(reverse("customers:home")).content.decode()
    assert "222000001" in home and "111000001" not in home
    who = _who(client, reverse("customers:contract_list"))
    # The person, then the chosen counterparty's category and the counterparty in the switcher.
    assert user.display_name in who.split("lkk-who-category")[0]
    assert f'title="{b.get_kind_display()}">{b.kind_abbreviation}<' in who
    assert f'<option value="{b.pk}" selected>ООО «Бета»</option>' in who
    # The other counterparty's objects are out of scope while switched.
    url = reverse("customers:contract_detail", kwargs={"contract_id": a.contracts.get().pk})
    assert client.get(url).status_code == 404

    client.post(reverse(SWITCH), {"counterparty": "all"})
    contracts = client.get(reverse("customers:contract_list")).content.decode()
    assert "111000001" in contracts and "222000001" in contracts


def test_foreign_counterparty_is_404(client, two):
    user, _a, _b = two
    stranger = CounterpartyFactory()
    client.force_login(user)
    assert client.post(reverse(SWITCH), {"counterparty": stranger.pk}).status_code == 404
    assert client.post(reverse(SWITCH), {"counterparty": "x"}).status_code == 404
    assert "lkk_active_counterparty" not in client.session


def test_switch_needs_post_and_csrf(client, two):
    user, a, _b = two
    client.force_login(user)
    assert client.get(reverse(SWITCH)).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(reverse(SWITCH), {"counterparty": a.pk}).status_code == 403


def test_a_revoked_choice_is_ignored(client, two):
    user, _a, b = two
    client.force_login(user)
    client.post(reverse(SWITCH), {"counterparty": b.pk})
    AccessGrant.objects.filter(user=user, counterparty=b).delete()
    contracts = client.get(reverse("customers:contract_list")).content.decode()
    assert "111000001" in contracts and "222000001" not in contracts
