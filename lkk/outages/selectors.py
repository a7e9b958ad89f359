"""Reads of S3: the public search of planned outages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from lkk.outages import addresses
from lkk.outages.models import Outage

#: Dates outside these are not searched for (a year 1 or 9999 would overflow the time zone).
_EARLIEST, _LATEST = dt.date(1900, 1, 1), dt.date(9000, 1, 1)


def _sane(day: dt.date | None) -> dt.date | None:
    return day if day is not None and _EARLIEST <= day <= _LATEST else None


def outages_search(
    *,
    settlement: str = "",
    street: str = "",
    house: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    published_only: bool = True,
) -> QuerySet[Outage]:
    """Outages matching the address (parts of the settlement and street names, case and «ё»
    ignored; a house: those listed and whole-street outages) that overlap the dates."""
    qs = Outage.objects.all()
    if published_only:
        qs = qs.filter(published=True)
    settlement_key = addresses.name_key(settlement)
    if settlement_key:
        qs = qs.filter(settlement_key__contains=settlement_key)
    street_key = addresses.name_key(street)
    if street_key:
        qs = qs.filter(street_key__contains=street_key)
    house_key = addresses.house_key(house)
    if house_key:
        qs = qs.filter(Q(house_keys="") | Q(house_keys__contains=f"|{house_key}|"))
    elif house.strip():
        qs = qs.none()
    tz = timezone.get_current_timezone()
    date_from, date_to = _sane(date_from), _sane(date_to)
    if date_from:
        qs = qs.filter(ends_at__gt=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(starts_at__lt=end)
    return qs.order_by("starts_at", "pk")
