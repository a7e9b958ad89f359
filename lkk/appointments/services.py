"""Writes of S1: slots from the offices' schedules, booking, moving, cancelling, the operator's
marks and blocks, reminders.

The last place of a slot is taken by one conditional UPDATE (`taken < capacity`): of two
customers racing for it exactly one changes a row, the other is told the time is taken. A
user's own bookings are serialised by locking the user's row, so that two visits of one person
cannot overlap even when booked at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lkk.appointments.models import Appointment, Office, OfficeHoliday, Service, Slot
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record
from lkk.core.errors import ApplicationError
from lkk.customers.access import access_scope
from lkk.notifications.services import notify

TAKEN = gettext_lazy("Это время уже занято, выберите другое")


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{date_format(local.date(), 'd.m.Y')} {local:%H:%M}"


# --- Slots ----------------------------------------------------------------------------------


def slots_generate(*, today: dt.date | None = None, days: int | None = None) -> int:
    """Makes the slots of every active office for `days` from `today` from its weekly hours,
    skipping holidays; slots that exist are left as they are (a second run adds nothing).
    Returns how many were added."""
    today = today or timezone.localdate()
    days = settings.LKK_APPOINTMENT_DAYS_AHEAD if days is None else days
    last = today + dt.timedelta(days=days - 1)
    offices = list(Office.objects.filter(active=True).prefetch_related("hours"))
    holidays = set(
        OfficeHoliday.objects.filter(day__gte=today, day__lte=last).values_list("office_id", "day")
    )
    tz = timezone.get_current_timezone()
    rows = []
    for office in offices:
        step = dt.timedelta(minutes=office.slot_minutes)
        for offset in range(days):
            day = today + dt.timedelta(days=offset)
            if (None, day) in holidays or (office.pk, day) in holidays:
                continue
            for hours in office.hours.all():
                if hours.weekday != day.weekday():
                    continue
                start = dt.datetime.combine(day, hours.opens, tzinfo=tz)
                closes = dt.datetime.combine(day, hours.closes, tzinfo=tz)
                while start + step <= closes:
                    rows.append(
                        Slot(
                            office=office,
                            starts_at=start,
                            ends_at=start + step,
                            capacity=office.capacity,
                        )
                    )
                    start += step
    before = Slot.objects.count()
    Slot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return Slot.objects.count() - before


def free_slots(*, office: Office, day: dt.date | None = None):
    """Slots of the office a customer may book: future, open, with a free place."""
    qs = Slot.objects.filter(
        office=office, blocked=False, taken__lt=F("capacity"), starts_at__gt=timezone.now()
    )
    if day is not None:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
    return qs.order_by("starts_at")


def free_days(*, office: Office) -> list[dt.date]:
    """Days with at least one free slot of the office, in order."""
    days = {
        timezone.localdate(s) for s in free_slots(office=office).values_list("starts_at", flat=True)
    }
    return sorted(days)


# --- Booking --------------------------------------------------------------------------------


def _lock_user(user) -> None:
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _check_no_overlap(user, slot: Slot, *, ignore: Appointment | None = None) -> None:
    clash = Appointment.objects.filter(
        user_id=user.pk,
        status=Appointment.Status.BOOKED,
        slot__starts_at__lt=slot.ends_at,
        slot__ends_at__gt=slot.starts_at,
    )
    if ignore is not None:
        clash = clash.exclude(pk=ignore.pk)
    if clash.exists():
        raise ApplicationError(
            _("У вас уже есть запись на это время. Выберите другое время."), field="slot"
        )


def _take(slot_id: int) -> Slot:
    """Takes a place of the slot in one conditional UPDATE, or says the time is taken."""
    taken = Slot.objects.filter(
        pk=slot_id, blocked=False, taken__lt=F("capacity"), starts_at__gt=timezone.now()
    ).update(taken=F("taken") + 1)
    if not taken:
        raise ApplicationError(str(TAKEN), field="slot")
    return Slot.objects.select_related("office").get(pk=slot_id)


def _release(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, taken__gt=0).update(taken=F("taken") - 1)


def _counterparty_id(user) -> int | None:
    scope = access_scope(user)
    if scope.active_counterparty_id:
        return scope.active_counterparty_id
    ids = scope.counterparty_ids
    return ids[0] if len(ids) == 1 else None


@transaction.atomic
def appointment_book(
    *, user, office: Office, service: Service, slot_id: int, comment: str = ""
) -> Appointment:
    """Books a place of a free slot of the office for the user."""
    if not office.active or not office.services.filter(pk=service.pk, active=True).exists():
        raise ApplicationError(_("Эта услуга в выбранном офисе не оказывается."), field="service")
    _lock_user(user)
    slot = Slot.objects.filter(pk=slot_id, office=office).first()
    if slot is None:
        raise ApplicationError(str(TAKEN), field="slot")
    _check_no_overlap(user, slot)
    slot = _take(slot.pk)
    return Appointment.objects.create(
        user=user,
        counterparty_id=_counterparty_id(user),
        office=office,
        service=service,
        slot=slot,
        comment=comment.strip(),
    )


def change_deadline(appointment: Appointment) -> dt.datetime:
    return appointment.slot.starts_at - dt.timedelta(hours=settings.APPOINTMENT_CHANGE_HOURS)


def can_change(appointment: Appointment) -> bool:
    return appointment.status == Appointment.Status.BOOKED and timezone.now() < change_deadline(
        appointment
    )


def _locked_for_change(appointment: Appointment) -> Appointment:
    locked = (
        Appointment.objects.select_for_update()
        .select_related("slot", "office", "service")
        .get(pk=appointment.pk)
    )
    if locked.status != Appointment.Status.BOOKED:
        raise ApplicationError(_("Эта запись уже не действует."))
    if timezone.now() >= change_deadline(locked):
        raise ApplicationError(
            _(
                "Отменить или перенести запись можно не позднее чем за %(hours)s ч до приёма. "
                "Позвоните в офис: %(phone)s."
            )
            % {"hours": settings.APPOINTMENT_CHANGE_HOURS, "phone": locked.office.phone or "—"}
        )
    return locked


@transaction.atomic
def appointment_cancel(*, user, appointment: Appointment) -> Appointment:
    _lock_user(user)
    locked = _locked_for_change(appointment)
    locked.status = Appointment.Status.CANCELLED
    locked.changed_at = timezone.now()
    locked.save(update_fields=["status", "changed_at"])
    _release(locked.slot_id)
    return locked


@transaction.atomic
def appointment_move(*, user, appointment: Appointment, slot_id: int) -> Appointment:
    """Moves the visit to another free slot of the same office: a new booking, the old one
    «перенесена» and its place freed."""
    _lock_user(user)
    locked = _locked_for_change(appointment)
    slot = Slot.objects.filter(pk=slot_id, office_id=locked.office_id).first()
    if slot is None or slot.pk == locked.slot_id:
        raise ApplicationError(str(TAKEN), field="slot")
    _check_no_overlap(user, slot, ignore=locked)
    slot = _take(slot.pk)
    moved = Appointment.objects.create(
        user=locked.user,
        counterparty_id=locked.counterparty_id,
        office_id=locked.office_id,
        service_id=locked.service_id,
        slot=slot,
        comment=locked.comment,
    )
    locked.status = Appointment.Status.MOVED
    locked.moved_to = moved
    locked.changed_at = timezone.now()
    locked.save(update_fields=["status", "moved_to", "changed_at"])
    _release(locked.slot_id)
    return moved


# --- The operator ---------------------------------------------------------------------------

MARKS = {"done": Appointment.Status.DONE, "no_show": Appointment.Status.NO_SHOW}


@transaction.atomic
def appointment_mark(*, actor, appointment_id: int, mark: str, request=None) -> Appointment:
    """The operator marks a visit done or a no-show (once the visit has started)."""
    appointment = (
        Appointment.objects.select_for_update().select_related("slot").filter(pk=appointment_id)
    ).first()
    if appointment is None or mark not in MARKS:
        raise ApplicationError(_("Запись не найдена."))
    if appointment.status not in (Appointment.Status.BOOKED, *MARKS.values()):
        raise ApplicationError(_("Эта запись уже не действует."))
    if appointment.slot.starts_at > timezone.now():
        raise ApplicationError(_("Отметить посещение можно после начала приёма."))
    old = appointment.status
    appointment.status = MARKS[mark]
    appointment.changed_at = timezone.now()
    appointment.save(update_fields=["status", "changed_at"])
    audit_record(
        kind=AuditEvent.Kind.OPERATOR_ACTION,
        request=request,
        user=appointment.user,
        actor=actor,
        details={
            "action": "appointment_mark",
            "appointment": appointment.pk,
            "from": old,
            "to": appointment.status,
        },
    )
    return appointment


@transaction.atomic
def slot_block(*, actor, slot_id: int, blocked: bool, request=None) -> Slot:
    """Closes a slot for booking (visits booked already stand) or opens it again."""
    slot = Slot.objects.select_for_update().filter(pk=slot_id).first()
    if slot is None:
        raise ApplicationError(_("Интервал не найден."))
    slot.blocked = blocked
    slot.save(update_fields=["blocked"])
    audit_record(
        kind=AuditEvent.Kind.OPERATOR_ACTION,
        request=request,
        actor=actor,
        details={"action": "slot_block" if blocked else "slot_unblock", "slot": slot.pk},
    )
    return slot


# --- Reminders ------------------------------------------------------------------------------


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Reminds of every visit booked for tomorrow (local date); once per visit (dedup key)."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=tz)
    due: Iterable[Appointment] = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        slot__starts_at__gte=start,
        slot__starts_at__lt=start + dt.timedelta(days=1),
    ).select_related("user", "slot", "office", "service")
    sent = 0
    for appointment in due:
        notify(
            appointment.user,
            topic="appointments",
            title=_("Напоминание: завтра в %(when)s приём в офисе «%(office)s»")
            % {
                "when": f"{timezone.localtime(appointment.slot.starts_at):%H:%M}",
                "office": appointment.office.name,
            },
            body=_("%(service)s. Адрес: %(address)s.")
            % {"service": appointment.service.name, "address": appointment.office.address},
            url=reverse("appointments:detail", args=[appointment.pk]),
            dedup_key=f"visit-remind:{appointment.pk}",
        )
        sent += 1
    return sent
