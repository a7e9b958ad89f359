"""The isolation guard (lkk/customers/access.py): customer rows read around `visible_to` fail.

Throw-away views under their own URLs run each probe inside a real request, through the
middleware, as a customer would; the rest run under `isolation_guard()` without a request.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from celery import shared_task
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse

from lkk.billing.models import Charge
from lkk.customers.access import UnscopedQuery, isolation_guard, scopes_disabled
from lkk.customers.models import Contact, Contract, Counterparty, Meter, Zone
from lkk.customers.tests.factories import ContractFactory
from lkk.readings.models import Reading, Submission
from tests.test_admin import otp_login

Probe = Callable[[HttpRequest], object]


def _first_counterparty(request: HttpRequest) -> Counterparty:
    return Counterparty.objects.visible_to(request.user).get()


@scopes_disabled
def _all_contracts_bare(request: HttpRequest) -> int:
    return Contract.objects.count()


@scopes_disabled()
def _all_contracts_called(request: HttpRequest) -> int:
    return Contract.objects.count()


def _all_contracts_within(request: HttpRequest) -> int:
    with scopes_disabled():
        return Contract.objects.count()


#: Probes that reach customer rows around the mechanism: each must raise UnscopedQuery.
UNSCOPED: dict[str, Probe] = {
    "filter": lambda r: list(Contract.objects.filter(number__startswith="T")),
    "get": lambda r: Contract.objects.get(number="GUARD-OTHER"),
    "count": lambda r: Contract.objects.count(),
    "exists": lambda r: Meter.objects.exists(),
    "aggregate": lambda r: Contract.objects.aggregate(n=Count("pk")),
    "values": lambda r: list(Contract.objects.values_list("number", flat=True)),
    "iterator": lambda r: list(Reading.objects.iterator()),
    "reverse relation": lambda r: list(_first_counterparty(r).contacts.all()),
    "reverse count": lambda r: _first_counterparty(r).contracts.count(),
    "related manager of a visible contract": lambda r: list(
        Contract.objects.visible_to(r.user).get(number="GUARD-OWN").charges.all()
    ),
    "prefetch": lambda r: list(
        Contract.objects.visible_to(r.user).prefetch_related("metering_points")
    ),
    "count through a join": lambda r: list(
        Counterparty.objects.visible_to(r.user).annotate(n=Count("contracts"))
    ),
    "filter through a join": lambda r: (
        Contract.objects.visible_to(r.user)
        .filter(counterparty__contacts__value="guard.other@example.ru")
        .exists()
    ),
    "subquery": lambda r: list(
        Meter.objects.visible_to(r.user).annotate(
            last=Subquery(Reading.objects.filter(meter=OuterRef("pk")).values("value")[:1])
        )
    ),
    "pk__in": lambda r: list(
        Meter.objects.visible_to(r.user).filter(metering_point__contract__in=Contract.objects.all())
    ),
    "or with an unscoped queryset": lambda r: list(
        Contract.objects.visible_to(r.user) | Contract.objects.all()
    ),
    "update": lambda r: Reading.objects.filter(value__gte=0).update(value=0),
    "delete": lambda r: Submission.objects.filter(channel="form").delete(),
    "outside the block": lambda r: _escaped_queryset(),
}


def _escaped_queryset() -> list[Contract]:
    with scopes_disabled():
        queryset = Contract.objects.all()  # built inside, evaluated outside: guarded again
    return list(queryset)


#: Probes that keep to the mechanism (or use its escape): each must work.
SCOPED: dict[str, Probe] = {
    "visible_to": lambda r: sorted(
        Contract.objects.visible_to(r.user).values_list("number", flat=True)
    ),
    "visible_to, counted": lambda r: Contract.objects.visible_to(r.user).count(),
    "reverse relation through visible_to": lambda r: sorted(
        _first_counterparty(r).contacts.visible_to(r.user).values_list("value", flat=True)
    ),
    "join within the contract": lambda r: Contract.objects.visible_to(r.user).aggregate(
        points=Count("metering_points"), meters=Count("metering_points__meters")
    ),
    "subquery through visible_to": lambda r: [
        m.last
        for m in Meter.objects.visible_to(r.user).annotate(
            last=Subquery(
                Reading.objects.visible_to(r.user).filter(meter=OuterRef("pk")).values("value")[:1]
            )
        )
    ],
    "and with an unscoped queryset": lambda r: list(
        Contract.objects.visible_to(r.user) & Contract.objects.all()
    ),
    "none": lambda r: list(Contract.objects.none()),
    "forward relation": lambda r: Meter.objects.visible_to(r.user).get().metering_point.code,
    "scopes_disabled as a decorator": _all_contracts_bare,
    "scopes_disabled() as a decorator": _all_contracts_called,
    "scopes_disabled() as a context manager": _all_contracts_within,
}


def _probe(request: HttpRequest, name: str) -> HttpResponse:
    result = {**UNSCOPED, **SCOPED}[name](request)
    return HttpResponse(repr(result), content_type="text/plain")


urlpatterns = [
    path("guard-probe/<str:name>/", _probe, name="guard_probe"),
    path("", include("lkk.urls")),
]


@pytest.fixture
def own_and_other(customer_a):
    """Customer A's counterparty gets a second contract A's user is not granted, with a
    contact; A's own contract is renamed to be found by number."""
    from lkk.customers.models import AccessGrant

    own = customer_a.contract
    own.number = "GUARD-OWN"
    own.save()
    other = ContractFactory(counterparty=own.counterparty, number="GUARD-OTHER")
    for contract, email in ((own, "guard.own@example.ru"), (other, "guard.other@example.ru")):
        Contact.objects.create(
            billing_id=f"G-{email}",
            counterparty=own.counterparty,
            contract=contract,
            kind=Contact.Kind.EMAIL,
            value=email,
        )
    Charge.objects.create(billing_id="G-CH-1", contract=own, period="2026-01-01", kwh=1, amount=1)
    grant = AccessGrant.objects.get(user=customer_a.user)
    grant.all_contracts = False
    grant.save()
    grant.contracts.set([own])
    return customer_a


def _get(client, name: str) -> HttpResponse:
    return client.get(reverse("guard_probe", args=[name]))


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("name", sorted(UNSCOPED))
def test_a_query_around_visible_to_in_a_customer_request_raises(client, own_and_other, name):
    client.force_login(own_and_other.user)
    with pytest.raises(UnscopedQuery):
        _get(client, name)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("name", sorted(SCOPED))
def test_a_query_through_visible_to_works(client, own_and_other, name):
    client.force_login(own_and_other.user)
    assert _get(client, name).status_code == 200


@pytest.mark.urls(__name__)
def test_the_guarded_answers_are_the_users_own(client, own_and_other):
    client.force_login(own_and_other.user)
    assert _get(client, "visible_to").content.decode() == "['GUARD-OWN']"
    assert _get(client, "reverse relation through visible_to").content.decode() == (
        "['guard.own@example.ru']"
    )
    # The escape sees everything: the contract A's user is not granted too.
    assert _get(client, "scopes_disabled() as a context manager").content.decode() == "2"


@pytest.mark.urls(__name__)
def test_the_guard_is_on_for_anonymous_visitors(client, own_and_other):
    with pytest.raises(UnscopedQuery):
        _get(client, "count")
    assert _get(client, "visible_to").content.decode() == "[]"


@pytest.mark.urls(__name__)
def test_the_guard_is_off_for_staff(client, own_and_other, operator):
    """The back office and the admin decide by roles what an operator sees."""
    otp_login(client, operator)
    assert _get(client, "count").content.decode() == "2"


@pytest.mark.urls(__name__)
def test_the_guard_ends_with_the_request(client, own_and_other):
    client.force_login(own_and_other.user)
    with pytest.raises(UnscopedQuery):
        _get(client, "count")
    assert Contract.objects.count() == 2  # a test's own check, outside any request


def test_the_guard_is_off_outside_requests(own_and_other):
    """Management commands, the seed, tasks and tests' set-up are not a customer's request."""
    assert Contract.objects.count() == 2
    assert own_and_other.counterparty.contacts.count() == 2


def test_isolation_guard_turns_it_on_without_a_request(own_and_other):
    counterparty = own_and_other.counterparty
    with isolation_guard():
        with pytest.raises(UnscopedQuery, match="Contact rows queried without visible_to"):
            list(counterparty.contacts.all())
        with pytest.raises(UnscopedQuery, match="joins Counterparty to its Contract rows"):
            Counterparty.objects.visible_to(own_and_other.user).filter(
                contracts__number="GUARD-OTHER"
            ).exists()
        with scopes_disabled():
            assert counterparty.contacts.count() == 2
            with scopes_disabled():
                assert Contract.objects.count() == 2
            assert Contract.objects.count() == 2  # the inner block gave back the outer's state
        with pytest.raises(UnscopedQuery):
            Contract.objects.count()
    assert Contract.objects.count() == 2


def test_a_point_of_another_contract_is_not_counted_through_its_object(own_and_other):
    """From an object to its points is not a join within the contract: a point names its
    contract itself, so the count goes through visible_to (selectors.objects_of_contract)."""
    with isolation_guard(), pytest.raises(UnscopedQuery, match="MeteringPoint"):
        list(
            own_and_other.contract.objects_supplied.visible_to(own_and_other.user).annotate(
                n=Count("metering_points")
            )
        )


@shared_task
def _count_contracts() -> int:
    return Contract.objects.count()


def test_a_task_run_at_once_inside_a_request_is_not_guarded(own_and_other, settings):
    """A task is nobody's request: it finds the guard off, in a worker as in the embedded mode."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with isolation_guard():
        assert _count_contracts.apply().get() == 2
        with pytest.raises(UnscopedQuery):
            Contract.objects.count()  # and the guard is back after it


def test_a_receipt_found_by_token_and_the_meters_judged(own_and_other):
    """The services' own proofs under scopes_disabled keep working with the guard on."""
    from lkk.readings.selectors import zone_histories
    from lkk.readings.services import _receipt_for_token

    a = own_and_other
    with isolation_guard():
        assert _receipt_for_token(user=a.user, token=a.submission.token) == a.submission
        assert _receipt_for_token(user=a.user, token=uuid.uuid4()) is None
        meters = list(Meter.objects.visible_to(a.user))
        histories = zone_histories(meters=meters, today=dt.date(2027, 1, 1))
        assert histories[(a.meter.pk, Zone.TOTAL)].previous.value == Decimal("1234.50")
