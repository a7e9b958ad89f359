"""Every list page and «Главная» cost the same number of queries for 1 contract and for 300.

The expected counts are kept here as data (as netbox does): a change that adds a query per
row fails the equality check, and one that adds a fixed query must update the table on purpose.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lkk.customers.models import AccessGrant, Contract, Counterparty, Meter, MeteringPoint
from lkk.customers.tests.factories import UserFactory
from lkk.demo.seed import load_counterparty

#: «Главная»: session, user, grants; its contracts with their count (one query), the first
#: one's card: its counts and its meters with their last day's readings — one query on
#: PostgreSQL, the readings apart elsewhere (lkk/customers/selectors.py contract_card). The
#: newest news come from the cache (content/templatetags/news.py).
HOME_QUERIES = 5 if connection.vendor == "postgresql" else 6

#: page → (query string, expected queries): session, user, grants (with the header's names)
#: and the page's own queries.
PAGES: dict[str, tuple[dict[str, str], int]] = {
    "customers:home": ({}, HOME_QUERIES),
    "customers:counterparty_list": ({}, 5),
    "customers:contract_list": ({}, 5),
    "customers:object_list": ({}, 5),
    "customers:point_list": ({}, 5),
    "customers:meter_list": ({}, 5),
    "surveys:list": ({}, 4),
    "billing:index": ({}, 5),
    "billing:documents": ({}, 5),
}
SEARCHED = {
    "customers:contract_list": {"q": "8", "sort": "-date"},
    "customers:point_list": {"q": "ввод", "sort": "-power"},
    "customers:meter_list": {"q": "0", "sort": "verification", "verification": "due"},
    "customers:object_list": {"q": "г.", "sort": "contract"},
    "customers:home": {"q": "8", "page": "2"},
}
DETAIL = {
    "customers:contract_detail": ("contract_id", 8),
    "customers:object_detail": ("object_id", 6),
    "customers:point_detail": ("point_id", 5),
    "customers:meter_detail": ("meter_id", 6),
    "customers:counterparty_detail": ("counterparty_id", 6),
}


def _user_with(contracts: int, index: int, username: str):
    counterparty = load_counterparty(
        billing_id=f"QC-{index}", index=index, contracts=contracts, points=2
    )
    user = UserFactory(username=username)
    AccessGrant.objects.create(user=user, counterparty=counterparty)
    return user, counterparty


@pytest.fixture
def small_and_big(db):
    small = _user_with(1, 70001, "one_contract")
    big = _user_with(300, 70002, "three_hundred")
    assert Contract.objects.filter(counterparty=big[1]).count() == 300
    return small, big


def _count(client, user, url: str, params: dict[str, str]) -> int:
    client.force_login(user)
    client.get(url, params)  # what a page keeps in the cache (the newest news) is kept
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_list_page_query_count_is_fixed(client, small_and_big, name):
    (small_user, _), (big_user, _) = small_and_big
    params, expected = PAGES[name]
    url = reverse(name)
    assert _count(client, small_user, url, params) == expected
    assert _count(client, big_user, url, params) == expected
    if name in SEARCHED:
        assert _count(client, big_user, url, SEARCHED[name]) == expected


def _first_of(counterparty, param: str) -> int:
    points = MeteringPoint.objects.filter(contract__counterparty=counterparty).order_by("pk")
    return {
        "contract_id": lambda: Contract.objects.filter(counterparty=counterparty).first().pk,
        "object_id": lambda: points.first().consumption_object_id,
        "point_id": lambda: points.first().pk,
        "meter_id": lambda: Meter.objects.filter(metering_point=points.first()).first().pk,
        "counterparty_id": lambda: counterparty.pk,
    }[param]()


@pytest.mark.parametrize("name", sorted(DETAIL))
def test_detail_page_query_count_is_fixed(client, small_and_big, name):
    (small_user, small_cp), (big_user, big_cp) = small_and_big
    param, expected = DETAIL[name]
    for user, counterparty in ((small_user, small_cp), (big_user, big_cp)):
        url = reverse(name, kwargs={param: _first_of(counterparty, param)})
        assert _count(client, user, url, {}) == expected, url


def test_readings_form_for_a_contract_of_3000_meters_has_a_fixed_query_count(db, client, settings):
    settings.LKK_READING_WINDOW = "1-31"
    counts = []
    for index, points in ((70011, 1), (70012, 3000)):
        user, counterparty = _user_with(1, index, f"form{index}")
        if points > 1:
            load_counterparty(billing_id=f"QC-{index}-big", index=index + 1, points=points)
            counterparty = Counterparty.objects.get(billing_id=f"QC-{index}-big")
            AccessGrant.objects.create(user=user, counterparty=counterparty)
        contract = Contract.objects.filter(counterparty=counterparty).get()
        assert Meter.objects.filter(metering_point__contract=contract).count() >= points
        url = reverse("readings:submit_contract", args=[contract.pk])
        counts.append(_count(client, user, url, {}))
        counts.append(_count(client, user, url, {"page": "3"}))
        counts.append(_count(client, user, url, {"page": "999"}))
    # Session, user, grants; the page's meters (their contract loaded with them, their count
    # beside them); the previous readings — on PostgreSQL page 1's come with its meters (a
    # subquery of each). A page past the end (the small contract's page 3, any contract's page
    # 999) adds a COUNT, to find the last page, and that page's meters: the small contract's
    # last page is its page 1.
    if connection.vendor == "postgresql":
        assert counts == [4, 6, 6, 4, 5, 7], counts
    else:
        assert counts == [5, 7, 7, 5, 5, 7], counts


def test_receipt_query_count_is_fixed(db, client):
    import datetime as dt
    import uuid

    from lkk.readings.models import Reading, Submission

    counts = []
    for index, points in ((70021, 1), (70022, 200)):
        user, counterparty = _user_with(1, index, f"receipt{index}")
        meters = Meter.objects.filter(counterparty=counterparty)
        if points > 1:
            load_counterparty(billing_id=f"QC-{index}-r", index=index + 1, points=points)
            counterparty = Counterparty.objects.get(billing_id=f"QC-{index}-r")
            AccessGrant.objects.create(user=user, counterparty=counterparty)
            meters = Meter.objects.filter(counterparty=counterparty)
        submission = Submission.objects.create(
            token=uuid.uuid4(), counterparty=counterparty, submitted_by=user, channel="form"
        )
        Reading.objects.bulk_create(
            Reading(
                meter=m,
                zone=m.zones[0],
                value=1,
                read_on=dt.date(2030, 1, 1),
                source="customer",
                submission=submission,
            )
            for m in meters
        )
        url = reverse("readings:receipt", args=[submission.pk])
        counts.append(_count(client, user, url, {}))
    assert counts[0] == counts[1], counts
