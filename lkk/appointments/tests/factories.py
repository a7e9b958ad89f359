"""Offices with weekly hours for the tests of S1."""

from __future__ import annotations

import datetime as dt

from lkk.appointments.models import Office, OfficeHours, Service


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
