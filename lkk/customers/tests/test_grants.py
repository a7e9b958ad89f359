"""`grant_add` (lkk/customers/services.py), the only writer of access grants (A5, A10): it only
widens, ignores contracts of another counterparty, and writes an audit row."""

from __future__ import annotations

import pytest

from lkk.audit.models import AuditEvent
from lkk.core.errors import ApplicationError
from lkk.customers.access import access_scope
from lkk.customers.models import AccessGrant, Contract, Counterparty
from lkk.customers.services import grant_add
from lkk.customers.tests.factories import ContractFactory, CounterpartyFactory, UserFactory


@pytest.fixture
def world(db):
    cp = CounterpartyFactory()
    contracts = [ContractFactory(counterparty=cp) for _ in range(4)]
    other = ContractFactory()  # another counterparty's
    return UserFactory(), cp, contracts, other


def visible_contracts(user) -> set[Contract]:
    return set(Contract.objects.visible_to(user))


def test_all_contracts(world, operator):
    user, cp, contracts, _other = world
    grant = grant_add(user=user, counterparty_id=cp.pk, contract_ids=None, granted_by=operator)
    grant.refresh_from_db()
    assert grant.user == user and grant.counterparty == cp and grant.granted_by == operator
    assert grant.all_contracts and not grant.contracts.exists()
    assert visible_contracts(user) == set(contracts)


def test_listed_contracts_only(world):
    user, cp, contracts, _other = world
    grant = grant_add(user=user, counterparty_id=cp.pk, contract_ids=[c.pk for c in contracts[:2]])
    assert not grant.all_contracts
    assert set(grant.contracts.all()) == set(contracts[:2])
    assert visible_contracts(user) == set(contracts[:2])
    assert set(Counterparty.objects.visible_to(user)) == {cp}


def test_listed_contracts_are_added_to_listed_ones(world):
    user, cp, contracts, _other = world
    grant_add(user=user, counterparty_id=cp.pk, contract_ids=[contracts[0].pk])
    grant_add(user=user, counterparty_id=cp.pk, contract_ids=[contracts[2].pk, contracts[0].pk])
    grant = AccessGrant.objects.get(user=user)
    assert not grant.all_contracts
    assert set(grant.contracts.all()) == {contracts[0], contracts[2]}


def test_a_whole_grant_stays_whole(world):
    user, cp, contracts, _other = world
    grant_add(user=user, counterparty_id=cp.pk, contract_ids=None)
    grant = grant_add(user=user, counterparty_id=cp.pk, contract_ids=[contracts[1].pk])
    grant.refresh_from_db()
    assert grant.all_contracts and not grant.contracts.exists()
    assert visible_contracts(user) == set(contracts)
    assert AccessGrant.objects.filter(user=user).count() == 1


def test_listed_then_all_becomes_whole(world):
    user, cp, contracts, _other = world
    grant_add(user=user, counterparty_id=cp.pk, contract_ids=[contracts[1].pk])
    grant_add(user=user, counterparty_id=cp.pk, contract_ids=None)
    grant = AccessGrant.objects.get(user=user)
    assert grant.all_contracts
    assert visible_contracts(user) == set(contracts)


def test_contracts_of_another_counterparty_are_ignored(world):
    user, cp, contracts, other = world
    grant = grant_add(
        user=user, counterparty_id=cp.pk, contract_ids=[contracts[0].pk, other.pk, 10**9]
    )
    assert set(grant.contracts.all()) == {contracts[0]}
    assert other not in visible_contracts(user)
    assert other.counterparty not in set(Counterparty.objects.visible_to(user))


def test_only_contracts_of_another_counterparty_grant_nothing(world):
    """A grant with no contract would still show the counterparty itself: none is made."""
    user, cp, _contracts, other = world
    with pytest.raises(ApplicationError):
        grant_add(user=user, counterparty_id=cp.pk, contract_ids=[other.pk])
    assert not AccessGrant.objects.exists()
    assert not Counterparty.objects.visible_to(user).exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.GRANT_ADDED).exists()
    with pytest.raises(ApplicationError):
        grant_add(user=user, counterparty_id=cp.pk, contract_ids=[])


def test_another_users_grant_is_untouched(world):
    user, cp, contracts, _other = world
    someone = UserFactory()
    grant_add(user=someone, counterparty_id=cp.pk, contract_ids=[contracts[3].pk])
    grant_add(user=user, counterparty_id=cp.pk, contract_ids=None)
    theirs = AccessGrant.objects.get(user=someone)
    assert not theirs.all_contracts and list(theirs.contracts.all()) == [contracts[3]]


def test_an_audit_row_is_written(world, operator):
    user, cp, contracts, other = world
    grant = grant_add(
        user=user,
        counterparty_id=cp.pk,
        contract_ids=[contracts[1].pk, contracts[0].pk, other.pk],
        granted_by=operator,
        via="steps",
    )
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.GRANT_ADDED)
    assert event.user == user and event.actor == operator
    assert event.details == {
        "counterparty": cp.pk,
        "grant": grant.pk,
        "all_contracts": False,
        "contracts": sorted([contracts[0].pk, contracts[1].pk]),
        "via": "steps",
    }
    grant_add(user=user, counterparty_id=cp.pk, contract_ids=None)
    second = AuditEvent.objects.filter(kind=AuditEvent.Kind.GRANT_ADDED).order_by("-pk")[0]
    assert second.details["all_contracts"] is True and second.actor is None


def test_the_cached_scope_is_forgotten(world):
    """Within one request a grant is seen at once (the scope is cached on the user object)."""
    user, cp, contracts, _other = world
    assert access_scope(user).counterparty_ids == ()
    grant_add(user=user, counterparty_id=cp.pk, contract_ids=[contracts[0].pk])
    assert access_scope(user).contract_ids == (contracts[0].pk,)
    grant_add(user=user, counterparty_id=cp.pk, contract_ids=None)
    assert access_scope(user).whole_counterparty_ids == (cp.pk,)
