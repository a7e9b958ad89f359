"""«Запись на приём» for customers: choose office → service → day → time, «Мои записи»,
a visit's page with cancel and move (S1)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lkk.appointments import selectors, services
from lkk.appointments.forms import SlotForm
from lkk.appointments.models import Appointment
from lkk.core.errors import ApplicationError, apply_error
from lkk.core.params import param_date, param_id, param_page
from lkk.customers.access import get_object_for_user


def _day_choice(request: HttpRequest, days: list[dt.date]) -> dt.date | None:
    """The chosen day: one with free time, or (the form was sent) any day of the booking
    window, so that a time taken meanwhile is told as taken, not as a form gone missing."""
    day = param_date(request.GET, "day")
    if day in days:
        return day
    today = timezone.localdate()
    window = today + dt.timedelta(days=settings.LKK_APPOINTMENT_DAYS_AHEAD)
    if request.method == "POST" and day is not None and today <= day <= window:
        return day
    return None


@login_required
def appointment_list(request: HttpRequest) -> HttpResponse:
    """«Мои записи»: upcoming visits, and the past ones page by page."""
    upcoming = list(selectors.my_appointments(request.user, upcoming=True)[:100])
    past = Paginator(
        selectors.my_appointments(request.user, upcoming=False), settings.LKK_PAGE_SIZE
    )
    return render(
        request,
        "appointments/list.html",
        {"upcoming": upcoming, "page_obj": past.get_page(param_page(request.GET))},
    )


@login_required
def appointment_new(request: HttpRequest) -> HttpResponse:
    """One page, step by step: each choice narrows the next (GET), the time is booked by POST."""
    offices = list(selectors.offices_active())
    office_id = param_id(request.GET, "office")
    office = next((o for o in offices if o.pk == office_id), None)
    services_ = list(selectors.office_services(office)) if office else []
    service_id = param_id(request.GET, "service")
    service = next((s for s in services_ if s.pk == service_id), None)
    days = services.free_days(office=office) if service else []
    day = _day_choice(request, days)
    slots = list(services.free_slots(office=office, day=day)) if day else []
    form = None
    if day:
        form = SlotForm(request.POST or None, slots=slots)
        if request.method == "POST" and form.is_valid():
            try:
                appointment = services.appointment_book(
                    user=request.user,
                    office=office,
                    service=service,
                    slot_id=form.cleaned_data["slot"],
                    comment=form.cleaned_data["comment"],
                )
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Вы записаны на приём."))
                return redirect("appointments:detail", appointment_id=appointment.pk)
    elif request.method == "POST":
        messages.error(request, _("Выберите офис, услугу и день приёма."))
    return render(
        request,
        "appointments/new.html",
        {
            "offices": offices,
            "office": office,
            "services": services_,
            "service": service,
            "days": days,
            "day": day,
            "form": form,
        },
    )


@login_required
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_object_for_user(
        Appointment.objects.select_related("office", "service", "slot", "moved_to__slot"),
        request.user,
        pk=appointment_id,
    )
    return render(
        request,
        "appointments/detail.html",
        {
            "appointment": appointment,
            "can_change": services.can_change(appointment),
            "deadline": services.change_deadline(appointment),
            "hours": settings.APPOINTMENT_CHANGE_HOURS,
        },
    )


@login_required
@require_POST
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_object_for_user(Appointment, request.user, pk=appointment_id)
    try:
        services.appointment_cancel(user=request.user, appointment=appointment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Запись отменена."))
    return redirect("appointments:detail", appointment_id=appointment.pk)


@login_required
def appointment_move(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Another free time of the same office for a visit that may still be changed."""
    appointment = get_object_for_user(
        Appointment.objects.select_related("office", "service", "slot"),
        request.user,
        pk=appointment_id,
    )
    if not services.can_change(appointment):
        if appointment.status == Appointment.Status.BOOKED:
            messages.error(
                request,
                _("Перенести запись можно не позднее чем за %(hours)s ч до приёма.")
                % {"hours": settings.APPOINTMENT_CHANGE_HOURS},
            )
        return redirect("appointments:detail", appointment_id=appointment.pk)
    days = services.free_days(office=appointment.office)
    day = _day_choice(request, days)
    form = None
    if day:
        slots = [
            s
            for s in services.free_slots(office=appointment.office, day=day)
            if s.pk != appointment.slot_id
        ]
        form = SlotForm(request.POST or None, slots=slots, with_comment=False)
        if request.method == "POST" and form.is_valid():
            try:
                moved = services.appointment_move(
                    user=request.user, appointment=appointment, slot_id=form.cleaned_data["slot"]
                )
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Запись перенесена."))
                return redirect("appointments:detail", appointment_id=moved.pk)
    return render(
        request,
        "appointments/move.html",
        {"appointment": appointment, "days": days, "day": day, "form": form},
    )
