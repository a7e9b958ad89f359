"""S1: slots from the schedule, booking, overlap, cancel and move up to the deadline,
reminders, the operator's marks and blocks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from lkk.appointments import services
from lkk.appointments.models import Appointment, OfficeHoliday, Slot
from lkk.appointments.tests.factories import MSK, NOW, office_with_hours
from lkk.appointments.tests.factories import slot_at as _slot
from lkk.audit.models import AuditEvent
from lkk.core.errors import ApplicationError
from lkk.notifications.models import Notification


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def office(db, clock):
    office, service = office_with_hours()
    services.slots_generate(today=NOW.date(), days=7)
    return office, service


def test_slots_follow_the_weekly_hours_skip_holidays_and_are_made_once(db, clock):
    office, _service = office_with_hours()
    OfficeHoliday.objects.create(day=dt.date(2026, 12, 2), reason="Праздник")
    assert services.slots_generate(today=NOW.date(), days=7) == 4 * 6  # Mon, Tue, Thu, Fri
    assert services.slots_generate(today=NOW.date(), days=7) == 0
    days = {s.starts_at.astimezone(MSK).date() for s in Slot.objects.filter(office=office)}
    assert dt.date(2026, 12, 2) not in days and dt.date(2026, 12, 5) not in days
    first = Slot.objects.filter(office=office).order_by("starts_at").first()
    assert first.starts_at.astimezone(MSK).time() == dt.time(9)
    assert first.ends_at - first.starts_at == dt.timedelta(minutes=30)


def test_book_takes_a_place_and_the_last_place_is_refused(office, customer_a, customer_b):
    office, service = office
    slot = _slot(office, 0, 10)
    visit = services.appointment_book(
        user=customer_a.user, office=office, service=service, slot_id=slot.pk
    )
    assert visit.status == Appointment.Status.BOOKED
    assert visit.counterparty == customer_a.counterparty
    slot.refresh_from_db()
    assert slot.taken == 1 and slot.free == 0
    with pytest.raises(ApplicationError, match="Это время уже занято, выберите другое"):
        services.appointment_book(
            user=customer_b.user, office=office, service=service, slot_id=slot.pk
        )


def test_past_and_blocked_slots_are_not_booked(office, customer_a, clock):
    office, service = office
    blocked = _slot(office, 0, 10)
    blocked.blocked = True
    blocked.save()
    with pytest.raises(ApplicationError, match="уже занято"):
        services.appointment_book(
            user=customer_a.user, office=office, service=service, slot_id=blocked.pk
        )
    clock.move_to(dt.datetime(2026, 11, 30, 11, 0, tzinfo=MSK))
    with pytest.raises(ApplicationError, match="уже занято"):
        services.appointment_book(
            user=customer_a.user, office=office, service=service, slot_id=_slot(office, 0, 9).pk
        )
    assert not Appointment.objects.exists()


def test_one_user_cannot_hold_two_visits_at_once(db, clock, customer_a):
    first, service = office_with_hours(name="Первый")
    second, _ = office_with_hours(name="Второй")
    services.slots_generate(today=NOW.date(), days=1)
    services.appointment_book(
        user=customer_a.user, office=first, service=service, slot_id=_slot(first, 0, 10).pk
    )
    with pytest.raises(ApplicationError, match="уже есть запись на это время"):
        services.appointment_book(
            user=customer_a.user, office=second, service=service, slot_id=_slot(second, 0, 10).pk
        )
    assert Slot.objects.get(office=second, taken=0, starts_at=_slot(second, 0, 10).starts_at)


def test_cancel_frees_the_place_and_is_refused_near_the_visit(office, customer_a, clock, settings):
    settings.APPOINTMENT_CHANGE_HOURS = 2
    office, service = office
    slot = _slot(office, 0, 11)
    visit = services.appointment_book(
        user=customer_a.user, office=office, service=service, slot_id=slot.pk
    )
    clock.move_to(dt.datetime(2026, 11, 30, 9, 30, tzinfo=MSK))  # 1.5 h before
    with pytest.raises(ApplicationError, match="не позднее чем за 2 ч до приёма"):
        services.appointment_cancel(user=customer_a.user, appointment=visit)
    clock.move_to(dt.datetime(2026, 11, 30, 8, 30, tzinfo=MSK))
    services.appointment_cancel(user=customer_a.user, appointment=visit)
    visit.refresh_from_db()
    slot.refresh_from_db()
    assert visit.status == Appointment.Status.CANCELLED and slot.taken == 0
    with pytest.raises(ApplicationError, match="уже не действует"):
        services.appointment_cancel(user=customer_a.user, appointment=visit)


def test_move_books_the_new_slot_and_frees_the_old(office, customer_a):
    office, service = office
    old_slot, new_slot = _slot(office, 1, 9), _slot(office, 2, 10)
    visit = services.appointment_book(
        user=customer_a.user, office=office, service=service, slot_id=old_slot.pk, comment="№ 1"
    )
    moved = services.appointment_move(user=customer_a.user, appointment=visit, slot_id=new_slot.pk)
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.MOVED and visit.moved_to == moved
    assert moved.slot == new_slot and moved.comment == "№ 1"
    assert Slot.objects.get(pk=old_slot.pk).taken == 0
    assert Slot.objects.get(pk=new_slot.pk).taken == 1


def test_reminder_the_day_before_once(office, customer_a, clock):
    office, service = office
    services.appointment_book(
        user=customer_a.user, office=office, service=service, slot_id=_slot(office, 1, 9).pk
    )
    services.appointment_book(
        user=customer_a.user, office=office, service=service, slot_id=_slot(office, 2, 9).pk
    )
    assert services.reminders_send() == 1
    services.reminders_send()
    notices = Notification.objects.filter(user=customer_a.user, topic="appointments")
    assert notices.count() == 1
    assert "завтра в 09:00" in notices.get().title


def test_operator_marks_and_blocks_with_audit(office, customer_a, operator, clock):
    office, service = office
    slot = _slot(office, 0, 9)
    visit = services.appointment_book(
        user=customer_a.user, office=office, service=service, slot_id=slot.pk
    )
    with pytest.raises(ApplicationError, match="после начала приёма"):
        services.appointment_mark(actor=operator, appointment_id=visit.pk, mark="done")
    clock.move_to(dt.datetime(2026, 11, 30, 9, 5, tzinfo=MSK))
    services.appointment_mark(actor=operator, appointment_id=visit.pk, mark="no_show")
    assert Appointment.objects.get(pk=visit.pk).status == Appointment.Status.NO_SHOW
    services.slot_block(actor=operator, slot_id=_slot(office, 0, 10).pk, blocked=True)
    assert Slot.objects.get(pk=_slot(office, 0, 10).pk).blocked
    actions = set(
        AuditEvent.objects.filter(actor=operator).values_list("details__action", flat=True)
    )
    assert actions == {"appointment_mark", "slot_block"}


# --- Pages ---------------------------------------------------------------------------------


def test_customer_books_through_the_pages(client, office, customer_a):
    office, service = office
    client.force_login(customer_a.user)
    url = reverse("appointments:new")
    page = client.get(url, {"office": office.pk, "service": service.pk, "day": "2026-12-01"})
    body = page.content.decode()
    assert "Свободное время на 01.12.2026" in body
    slot = _slot(office, 1, 9)
    assert f'value="{slot.pk}"' in body
    query = f"?office={office.pk}&service={service.pk}&day=2026-12-01"
    response = client.post(url + query, {"slot": slot.pk, "comment": "договор 123"})
    visit = Appointment.objects.get(user=customer_a.user)
    assert response.status_code == 302
    assert response.url == reverse("appointments:detail", args=[visit.pk])
    listing = client.get(reverse("appointments:list")).content.decode()
    assert "01.12.2026 09:00" in listing
    # The same time again: the clear message on the field, nothing booked twice.
    again = client.post(url + query, {"slot": slot.pk})
    assert "Это время уже занято, выберите другое" in again.content.decode()
    assert Appointment.objects.count() == 1


def test_another_users_visit_is_a_404(client, office, customer_a, customer_b):
    office, service = office
    visit = services.appointment_book(
        user=customer_a.user, office=office, service=service, slot_id=_slot(office, 1, 9).pk
    )
    client.force_login(customer_b.user)
    for name in ("appointments:detail", "appointments:move"):
        assert client.get(reverse(name, args=[visit.pk])).status_code == 404
    assert client.post(reverse("appointments:cancel", args=[visit.pk])).status_code == 404
    assert client.post(reverse("appointments:move", args=[visit.pk]), {}).status_code == 404
    assert Appointment.objects.get(pk=visit.pk).status == Appointment.Status.BOOKED


def test_too_late_to_cancel_says_so(client, office, customer_a, clock, settings):
    settings.APPOINTMENT_CHANGE_HOURS = 24
    office, service = office
    visit = services.appointment_book(
        user=customer_a.user, office=office, service=service, slot_id=_slot(office, 0, 11).pk
    )
    client.force_login(customer_a.user)
    response = client.post(reverse("appointments:cancel", args=[visit.pk]), follow=True)
    assert "не позднее чем за 24 ч до приёма" in response.content.decode()
    assert Appointment.objects.get(pk=visit.pk).status == Appointment.Status.BOOKED


def test_the_last_free_time_of_a_day_taken_meanwhile_is_told_as_taken(
    client, office, customer_a, customer_b
):
    office, service = office
    last = _slot(office, 1, 9)
    Slot.objects.filter(office=office).exclude(pk=last.pk).update(blocked=True)
    services.appointment_book(user=customer_a.user, office=office, service=service, slot_id=last.pk)
    client.force_login(customer_b.user)
    query = f"?office={office.pk}&service={service.pk}&day=2026-12-01"
    response = client.post(reverse("appointments:new") + query, {"slot": last.pk})
    assert response.status_code == 200
    assert "Это время уже занято, выберите другое" in response.content.decode()
    assert not Appointment.objects.filter(user=customer_b.user).exists()
