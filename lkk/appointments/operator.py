"""The operators' side of S1: the day's visits of an office, marks and slot blocks."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lkk.appointments import selectors, services
from lkk.backoffice.decorators import operator_required
from lkk.core.errors import ApplicationError
from lkk.core.params import param_choice, param_date, param_id


def _back(request: HttpRequest) -> HttpResponse:
    query = {}
    office = param_id(request.POST, "office")
    day = param_date(request.POST, "day")
    if office:
        query["office"] = office
    if day:
        query["day"] = day.isoformat()
    return redirect(reverse("appointments:office_day") + ("?" + urlencode(query) if query else ""))


@operator_required
def office_day(request: HttpRequest) -> HttpResponse:
    """The visits of one office on one day (who, service, time, status) and its slots."""
    offices = list(selectors.offices_active())
    office_id = param_id(request.GET, "office")
    office = next((o for o in offices if o.pk == office_id), offices[0] if offices else None)
    day = param_date(request.GET, "day")
    if day is None or not dt.date(2000, 1, 1) <= day <= dt.date(9000, 1, 1):
        day = timezone.localdate()
    slots, visits = selectors.office_day(office, day) if office else ([], [])
    return render(
        request,
        "appointments/office_day.html",
        {
            "offices": offices,
            "office": office,
            "day": day,
            "slots": slots,
            "visits": visits,
            "now": timezone.now(),
        },
    )


@operator_required
@require_POST
def visit_mark(request: HttpRequest, pk: int) -> HttpResponse:
    mark = param_choice(request.POST, "mark", services.MARKS)
    try:
        services.appointment_mark(
            actor=request.user, appointment_id=pk, mark=mark or "", request=request
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Отметка сохранена."))
    return _back(request)


@operator_required
@require_POST
def slot_block(request: HttpRequest, pk: int) -> HttpResponse:
    blocked = param_choice(request.POST, "blocked", ("1", "0")) == "1"
    try:
        services.slot_block(actor=request.user, slot_id=pk, blocked=blocked, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Интервал закрыт для записи.") if blocked else _("Интервал открыт для записи."),
        )
    return _back(request)
