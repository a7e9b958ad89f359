"""Every API list costs the same number of queries for a small and a big customer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lkk.customers.tests.factories import MeterFactory
from lkk.notifications.services import notify

LISTS = ["/api/v1/counterparties/", "/api/v1/contracts/", "/api/v1/objects/", "/api/v1/points/",
         "/api/v1/meters/", "/api/v1/receipts/", "/api/v1/charges/", "/api/v1/payments/",
         "/api/v1/documents/", "/api/v1/notifications/", "/api/v1/application-kinds/"]  # fmt: skip
# The applications' lists (and their messages): lkk/api/tests/test_applications.py.


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", LISTS)
def test_fixed_query_count(api_a, customer_a, path):
    # One row of each first: an empty page skips the rows' query after a count of 0.
    MeterFactory(metering_point__consumption_object__contract__counterparty=customer_a.counterparty)
    notify(customer_a.user, topic="news", title="Новость")
    small = _queries(api_a, path)
    for _ in range(30):
        MeterFactory(
            metering_point__consumption_object__contract__counterparty=customer_a.counterparty
        )
        notify(customer_a.user, topic="news", title="Новость")
    assert _queries(api_a, path) == small
    assert small <= 6
