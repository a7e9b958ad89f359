"""Reads of S1."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from lkk.appointments.models import Appointment, Office, Service, Slot


def offices_active() -> QuerySet[Office]:
    return Office.objects.filter(active=True).order_by("name")


def office_services(office: Office) -> QuerySet[Service]:
    return office.services.filter(active=True).order_by("name")


def my_appointments(user, *, upcoming: bool) -> QuerySet[Appointment]:
    """The user's visits with what the list shows (one query): upcoming ones (booked, not yet
    started) soonest first, the others newest first."""
    qs = Appointment.objects.visible_to(user).select_related("office", "service", "slot")
    now = timezone.now()
    if upcoming:
        return qs.filter(status=Appointment.Status.BOOKED, slot__starts_at__gte=now).order_by(
            "slot__starts_at", "pk"
        )
    return qs.exclude(status=Appointment.Status.BOOKED, slot__starts_at__gte=now).order_by(
        "-slot__starts_at", "-pk"
    )


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def office_day(office: Office, day: dt.date) -> tuple[list[Slot], list[Appointment]]:
    """The operator's day of an office: its slots and its visits (two queries)."""
    start, end = day_bounds(day)
    slots = list(Slot.objects.filter(office=office, starts_at__gte=start, starts_at__lt=end))
    visits = list(
        Appointment.objects.filter(
            office=office, slot__starts_at__gte=start, slot__starts_at__lt=end
        )
        .exclude(status=Appointment.Status.MOVED)
        .select_related("user", "service", "slot", "counterparty")
        .order_by("slot__starts_at", "pk")
    )
    return slots, visits
