"""Demo data of S1 and S3: offices with hours and services, their slots for 14 days, planned
outages (one of them on the street of fl_demo's house, which fl_demo and ul_demo are subscribed
to by the addresses of their objects). Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from lkk.appointments.models import Office, OfficeHoliday, OfficeHours, Service
from lkk.appointments.services import slots_generate
from lkk.customers.models import ConsumptionObject
from lkk.outages import addresses
from lkk.outages.models import Outage, Subscription
from lkk.outages.services import outage_notify

SERVICES = (
    ("Консультация по договору", 30),
    ("Заключение и изменение договора", 30),
    ("Вопросы по начислениям и оплате", 15),
    ("Замена и поверка прибора учёта", 30),
)
OFFICES = (
    ("Центральный офис обслуживания", "г. Рязань, ул. Полонского, д. 1", "8 (4912) 00-00-01", 2),
    ("Офис «Канищево»", "г. Рязань, ул. Интернациональная, д. 14", "8 (4912) 00-00-02", 1),
)
#: weekday → (opens, closes) pairs; a break between them.
HOURS = {
    **{d: ((dt.time(9), dt.time(13)), (dt.time(14), dt.time(18))) for d in range(5)},
    5: ((dt.time(10), dt.time(14)),),
}
DEMO_REASON = "Плановый ремонт оборудования ТП"


def load(*, today: dt.date) -> None:
    _offices()
    slots_generate(today=today, days=14)
    _subscriptions()
    _outages(today)


def _offices() -> None:
    services = []
    for name, minutes in SERVICES:
        service, _ = Service.objects.get_or_create(
            name=name, defaults={"duration_minutes": minutes}
        )
        services.append(service)
    for name, address, phone, capacity in OFFICES:
        office, created = Office.objects.get_or_create(
            name=name, defaults={"address": address, "phone": phone, "capacity": capacity}
        )
        if not created:
            continue
        office.services.set(services)
        OfficeHours.objects.bulk_create(
            OfficeHours(office=office, weekday=day, opens=opens, closes=closes)
            for day, spans in HOURS.items()
            for opens, closes in spans
        )
    if not OfficeHoliday.objects.filter(office=None, day=dt.date(2027, 1, 1)).exists():
        OfficeHoliday.objects.create(day=dt.date(2027, 1, 1), reason="Новогодние каникулы")


def _object_addresses(username: str) -> list[tuple[str, str, str]]:
    rows = ConsumptionObject.objects.filter(
        contract__counterparty__access_grants__user__username=username
    ).values_list("address", flat=True)
    found = (addresses.split_address(a) for a in rows.order_by("pk"))
    return [a for a in found if a]


def _subscriptions() -> None:
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["fl_demo", "ul_demo"])
    }
    for username, user in users.items():
        for settlement, street, house in _object_addresses(username):
            if not Subscription.objects.filter(
                user=user,
                settlement_key=addresses.name_key(settlement),
                street_key=addresses.name_key(street),
                house_key=house,
            ).exists():
                Subscription.objects.create(
                    user=user, settlement=settlement, street=street, house=house
                )


def _outages(today: dt.date) -> None:
    if Outage.objects.filter(reason__startswith=DEMO_REASON).exists():
        return
    tz = timezone.get_current_timezone()

    def at(days: int, hour: int) -> dt.datetime:
        return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour), tzinfo=tz)

    rows = [
        ("Советский", "г. Рязань", "ул. Полонского", "1-15, 17, 19а", at(2, 9), at(2, 17)),
        ("Октябрьский", "г. Рязань", "ул. Интернациональная", "", at(5, 10), at(5, 14)),
        ("Железнодорожный", "г. Рязань", "ул. Есенина", "2-40", at(9, 9), at(9, 12)),
    ]
    fl = _object_addresses("fl_demo")
    if fl:
        settlement, street, house = fl[0]
        number = int("".join(c for c in house if c.isdigit()) or "1")
        low = max(1, number - 5)
        rows.append(("", settlement, street, f"{low}-{number + 5}", at(3, 9), at(3, 16)))
    published = []
    for district, settlement, street, houses, start, end in rows:
        outage = Outage(
            district=district,
            settlement=settlement,
            street=street,
            houses=houses,
            starts_at=start,
            ends_at=end,
            reason=f"{DEMO_REASON}-{len(published) + 1}",
            published=True,
        )
        outage.save()
        published.append(outage)
    for outage in published:
        outage_notify(outage.pk)
