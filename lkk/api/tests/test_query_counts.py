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


#: The lists of reports, visits, outages, subscriptions, offices and surveys.
MORE_LISTS = ["/api/v1/reports/", "/api/v1/appointments/", "/api/v1/appointments/?upcoming=1",
              "/api/v1/outage-subscriptions/", "/api/v1/offices/", "/api/v1/surveys/",
              "/api/v1/outages/"]  # fmt: skip


def _more_rows(customer, start: int, n: int) -> None:
    import datetime as dt

    from django.utils import timezone

    from lkk.appointments.models import Appointment, Office, OfficeHours, Service, Slot
    from lkk.outages.models import Outage, Subscription
    from lkk.reports.models import Report
    from lkk.surveys.models import Question, Survey

    now = timezone.now().replace(microsecond=0)
    for i in range(start, start + n):
        Report.objects.create(
            owner=customer.user, counterparty=customer.counterparty, kind="consumption",
            params={"start": "2026-01-01", "end": "2026-02-01", "contracts": []},
            expires_at=now + dt.timedelta(days=30),
        )  # fmt: skip
        service = Service.objects.create(name=f"Услуга {i}")
        office = Office.objects.create(name=f"Офис {i}", address="г. Рязань")
        office.services.add(service)
        OfficeHours.objects.create(office=office, weekday=0, opens=dt.time(9), closes=dt.time(12))
        start = now + dt.timedelta(days=2)
        slot = Slot.objects.create(
            office=office, starts_at=start, ends_at=start + dt.timedelta(minutes=30), taken=1
        )
        Appointment.objects.create(user=customer.user, office=office, service=service, slot=slot)
        Subscription.objects.create(user=customer.user, settlement="Рязань", street=f"Улица {i}")
        survey = Survey.objects.create(title=f"Опрос {i}", status="open")
        Question.objects.create(survey=survey, kind="scale", text="Оценка")
        outage = Outage(settlement="Рязань", street=f"Улица {i}", published=True,
                        starts_at=now, ends_at=now + dt.timedelta(hours=2))  # fmt: skip
        outage.save()


@pytest.mark.parametrize("path", MORE_LISTS)
def test_fixed_query_count_of_the_services(api_a, customer_a, path):
    _more_rows(customer_a, 0, 1)
    small = _queries(api_a, path)
    _more_rows(customer_a, 1, 30)
    assert _queries(api_a, path) == small
    assert small <= 6
