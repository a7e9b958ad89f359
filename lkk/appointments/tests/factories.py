"""Offices with weekly hours for the tests of S1."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from lkk.appointments.models import Office, OfficeHours, Service, Slot

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
#: Monday 30 November 2026, 08:00 in Moscow: the tests' clock.
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=MSK)


def office_with_hours(
    *, name: str = "Центральный офис", capacity: int = 1, phone: str = "8 (4912) 00-00-01"
) -> tuple[Office, Service]:
    service, _ = Service.objects.get_or_create(name="Консультация по договору")
    office = Office.objects.create(
        name=name, address="г. Рязань, ул. Полонского, д. 1", phone=phone, capacity=capacity
    )
    office.services.add(service)
    OfficeHours.objects.bulk_create(
        OfficeHours(office=office, weekday=d, opens=dt.time(9), closes=dt.time(12))
        for d in range(5)
    )
    return office, service


def slot_at(office: Office, day: int, hour: int, minute: int = 0) -> Slot:
    """The office's slot `day` days after Monday 30.11.2026 at hour:minute (Moscow)."""
    start = dt.datetime.combine(
        NOW.date() + dt.timedelta(days=day), dt.time(hour, minute), tzinfo=MSK
    )
    return Slot.objects.get(office=office, starts_at=start)
