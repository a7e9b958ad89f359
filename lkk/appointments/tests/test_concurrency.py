"""The last place of a slot, raced for by real threads on PostgreSQL: exactly one booking wins,
every other customer is told the time is taken (`make test-postgres`)."""

from __future__ import annotations

import datetime as dt
import os
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lkk.appointments.models import Appointment, Office, Service, Slot
from lkk.customers.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 12


@pytest.fixture(autouse=True)
def _needs_postgres():
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "run: make test-postgres"
    assert connection.vendor == "postgresql"


def test_only_one_of_many_customers_takes_the_last_place():
    service = Service.objects.create(name="Консультация")
    office = Office.objects.create(name="Офис", address="г. Рязань", capacity=1)
    office.services.add(service)
    start = timezone.now() + dt.timedelta(days=1)
    slot = Slot.objects.create(
        office=office, starts_at=start, ends_at=start + dt.timedelta(minutes=30), capacity=1
    )
    users = [UserFactory(username=f"racer{i}") for i in range(THREADS)]
    day = timezone.localtime(start).date().isoformat()
    url = f"{reverse('appointments:new')}?office={office.pk}&service={service.pk}&day={day}"
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def book(user) -> None:
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=30)
            response = client.post(url, {"slot": slot.pk})
            results.append((response.status_code, response.content.decode()))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(status for status, _ in results) == [200] * (THREADS - 1) + [302]
    refused = [body for status, body in results if status == 200]
    assert all("Это время уже занято, выберите другое" in body for body in refused), (
        "every loser is told the time is taken"
    )
    assert Appointment.objects.filter(slot=slot).count() == 1
    slot.refresh_from_db()
    assert slot.taken == 1


def test_one_user_racing_himself_for_two_offices_gets_one_visit():
    service = Service.objects.create(name="Консультация")
    start = timezone.now() + dt.timedelta(days=1)
    offices = []
    for name in ("Первый", "Второй", "Третий", "Четвёртый"):
        office = Office.objects.create(name=name, address="г. Рязань", capacity=5)
        office.services.add(service)
        Slot.objects.create(
            office=office, starts_at=start, ends_at=start + dt.timedelta(minutes=30), capacity=5
        )
        offices.append(office)
    user = UserFactory(username="twin")
    day = timezone.localtime(start).date().isoformat()
    barrier = threading.Barrier(len(offices))
    statuses: list[int] = []

    def book(office) -> None:
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=30)
            slot = Slot.objects.get(office=office)
            url = f"{reverse('appointments:new')}?office={office.pk}&service={service.pk}&day={day}"
            statuses.append(client.post(url, {"slot": slot.pk}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(o,)) for o in offices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] * (len(offices) - 1) + [302]
    assert Appointment.objects.filter(user=user).count() == 1
