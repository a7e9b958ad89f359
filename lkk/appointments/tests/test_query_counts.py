"""«Мои записи» and the subscriptions cost the same number of queries for 2 rows and for 60."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lkk.appointments.models import Appointment, Slot
from lkk.appointments.tests.factories import office_with_hours
from lkk.outages.models import Subscription


def _visits(user, office, service, n: int) -> None:
    base = timezone.now().replace(microsecond=0)
    for i in range(n):
        # Half past (done), half upcoming: both tables of the page fill.
        start = base + dt.timedelta(hours=(i - n // 2) * 3 + 1, minutes=user.pk % 60)
        slot = Slot.objects.create(
            office=office, starts_at=start, ends_at=start + dt.timedelta(minutes=30), taken=1
        )
        status = Appointment.Status.BOOKED if start > base else Appointment.Status.DONE
        Appointment.objects.create(
            user=user, office=office, service=service, slot=slot, status=status
        )
        Subscription.objects.create(user=user, settlement="Рязань", street=f"ул. №{i}")


def _count(client, user, url: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["appointments:list", "outages:subscriptions"])
def test_query_count_is_fixed(client, customer_a, customer_b, name):
    office, service = office_with_hours()
    _visits(customer_a.user, office, service, 2)
    _visits(customer_b.user, office, service, 60)
    url = reverse(name)
    assert _count(client, customer_a.user, url) == _count(client, customer_b.user, url)
