"""«Запись на приём» (S1) through the API: offices, free times, booking (the site's conditional
booking and its «Это время уже занято…»), «Мои записи», cancel and move up to the limit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from lkk.appointments import services
from lkk.appointments.models import Appointment, Slot
from lkk.appointments.tests.factories import MSK, NOW, office_with_hours
from lkk.appointments.tests.factories import slot_at as _slot

#: Monday 30 November 2026, 08:00 in Moscow.
TAKEN = "Это время уже занято, выберите другое"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def office(db, clock):
    office, service = office_with_hours()
    services.slots_generate(today=NOW.date(), days=7)
    return office, service


def _book(api, office, service, slot, **headers):
    body = {"office": office.pk, "service": service.pk, "slot": slot.pk, "comment": "Договор"}
    return api.post("/api/v1/appointments/", body, format="json", headers=headers)


def test_offices_days_and_free_times(api_a, office):
    office, service = office
    listed = api_a.get("/api/v1/offices/").json()
    [row] = listed["results"]
    assert row["services"] == [{"id": service.pk, "name": service.name, "duration_minutes": 30}]
    assert row["hours"][0] == {"weekday": 0, "weekday_title": "понедельник", "opens": "09:00:00",
                               "closes": "12:00:00"}  # fmt: skip
    days = api_a.get(f"/api/v1/offices/{office.pk}/days/").json()["days"]
    assert days[0] == "2026-11-30" and "2026-12-05" not in days
    slots = api_a.get(f"/api/v1/offices/{office.pk}/slots/", {"day": "2026-12-01"}).json()
    assert len(slots) == 6 and slots[0]["free"] == 1
    for params, field in (({}, "day"), ({"day": "01.12.2026"}, "day"),
                          ({"day": "2026-12-01", "service": "x"}, "service"),
                          ({"day": "2026-12-01", "service": 10**6}, "service")):  # fmt: skip
        bad = api_a.get(f"/api/v1/offices/{office.pk}/slots/", params)
        assert bad.status_code == 400 and field in bad.json()["errors"], params
    assert api_a.get("/api/v1/offices/999999/slots/", {"day": "2026-12-01"}).status_code == 404


def test_book_list_and_the_taken_time(api_a, api_b, office, customer_a):
    office, service = office
    slot = _slot(office, 1, 10)
    booked = _book(api_a, office, service, slot)
    assert booked.status_code == 201, booked.json()
    body = booked.json()
    assert body["status"] == "booked" and body["can_change"] is True
    assert body["starts_at"].startswith("2026-12-01T10:00")
    taken = _book(api_b, office, service, slot)
    assert taken.status_code == 400
    assert taken.json()["errors"] == {"slot": [TAKEN]}
    upcoming = api_a.get("/api/v1/appointments/", {"upcoming": 1}).json()
    assert [a["id"] for a in upcoming["results"]] == [body["id"]]
    assert api_a.get("/api/v1/appointments/", {"upcoming": 0}).json()["count"] == 0
    assert api_a.get("/api/v1/appointments/", {"upcoming": "да"}).status_code == 400
    assert api_b.get("/api/v1/appointments/").json()["count"] == 0


def test_bad_bookings(api_a, office, customer_a):
    office, service = office
    other, _ = office_with_hours(name="Другой офис")
    services.slots_generate(today=NOW.date(), days=7)
    slot = _slot(office, 1, 10)
    cases = [
        ({"service": service.pk, "slot": slot.pk}, {"office": ["Обязательное поле."]}),
        ({"office": 10**6, "service": service.pk, "slot": slot.pk},
         {"office": ["Выберите офис из списка."]}),
        ({"office": office.pk, "service": 10**6, "slot": slot.pk},
         {"service": ["Эта услуга в выбранном офисе не оказывается."]}),
        ({"office": office.pk, "service": service.pk, "slot": _slot(other, 1, 10).pk},
         {"slot": [TAKEN]}),
        ({"office": office.pk, "service": service.pk, "slot": "десять"}, "slot"),
        ({"office": office.pk, "service": service.pk, "slot": slot.pk, "comment": "x" * 501},
         "comment"),
    ]  # fmt: skip
    for body, expected in cases:
        answer = api_a.post("/api/v1/appointments/", body, format="json")
        assert answer.status_code == 400, body
        errors = answer.json()["errors"]
        assert errors == expected if isinstance(expected, dict) else expected in errors
    past = _slot(office, 0, 9)
    Slot.objects.filter(pk=past.pk).update(starts_at=NOW - dt.timedelta(hours=1),
                                           ends_at=NOW - dt.timedelta(minutes=30))  # fmt: skip
    assert _book(api_a, office, service, past).json()["errors"] == {"slot": [TAKEN]}
    assert not Appointment.objects.filter(user=customer_a.user).exists()


def test_idempotency_key_books_once(api_a, office, customer_a):
    office, service = office
    slot = _slot(office, 2, 9)
    first = _book(api_a, office, service, slot, **{"Idempotency-Key": "visit-1"})
    again = _book(api_a, office, service, slot, **{"Idempotency-Key": "visit-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert Appointment.objects.filter(user=customer_a.user).count() == 1
    slot.refresh_from_db()
    assert slot.taken == 1
    other = _book(api_a, office, service, _slot(office, 2, 10), **{"Idempotency-Key": "visit-1"})
    assert other.status_code == 422


def test_cancel_and_move_up_to_the_limit(api_a, office, customer_a, clock):
    office, service = office
    visit = _book(api_a, office, service, _slot(office, 1, 10)).json()
    target = _slot(office, 1, 11)
    bad = api_a.post(f"/api/v1/appointments/{visit['id']}/move/", {"slot": "x"}, format="json")
    assert bad.status_code == 400 and "slot" in bad.json()["errors"]
    moved = api_a.post(
        f"/api/v1/appointments/{visit['id']}/move/", {"slot": target.pk}, format="json"
    )
    assert moved.status_code == 201, moved.json()
    assert moved.json()["starts_at"].startswith("2026-12-01T11:00")
    old = api_a.get(f"/api/v1/appointments/{visit['id']}/").json()
    assert old["status"] == "moved" and old["moved_to"] == moved.json()["id"]
    again = api_a.post(f"/api/v1/appointments/{visit['id']}/cancel/")
    assert again.status_code == 400
    assert again.json()["detail"] == "Эта запись уже не действует."
    clock.move_to(dt.datetime(2026, 12, 1, 9, 30, tzinfo=MSK))  # 1.5 h before 11:00
    late = api_a.post(f"/api/v1/appointments/{moved.json()['id']}/cancel/")
    assert late.status_code == 400
    assert late.json()["detail"].startswith(
        "Отменить или перенести запись можно не позднее чем за 2 ч до приёма."
    )
    late_move = api_a.post(
        f"/api/v1/appointments/{moved.json()['id']}/move/",
        {"slot": _slot(office, 3, 10).pk},
        format="json",
    )
    assert late_move.status_code == 400
    clock.move_to(NOW)
    cancelled = api_a.post(f"/api/v1/appointments/{moved.json()['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    target.refresh_from_db()
    assert target.taken == 0
