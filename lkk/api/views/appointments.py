"""«Запись на приём» (S1) in the app: offices with their services and hours, the free times of
a day, booking, «Мои записи», cancel and move — the site's selectors, form and services.

Booking takes the last place of a slot by the same conditional update as the site; a time
taken meanwhile is the site's «Это время уже занято…» on the field `slot`. Cancel and move
keep the same limit before the visit (LKK_APPOINTMENT_CHANGE_HOURS).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from lkk.api import serializers as s
from lkk.api.schema import ErrorSerializer
from lkk.api.views.base import (
    CustomerViewSet,
    form_errors,
    idempotency_parameter,
    idempotent_response,
)
from lkk.appointments import selectors, services
from lkk.appointments.forms import SlotForm
from lkk.appointments.models import Appointment, Office, Service
from lkk.core.params import param_date, parse_id


def _offices() -> QuerySet[Office]:
    return selectors.offices_active().prefetch_related(
        Prefetch(
            "services",
            queryset=Service.objects.filter(active=True).order_by("name"),
            to_attr="active_services",
        ),
        "hours",
    )


def _slot_form(data: dict, slots, *, with_comment: bool) -> SlotForm:
    """The site's form of a time: its choices are the free slots, so a time taken meanwhile is
    the form's own «Это время уже занято, выберите другое»."""
    bound = {"slot": str(data["slot"])}
    if with_comment:
        bound["comment"] = data.get("comment", "")
    form = SlotForm(bound, slots=list(slots), with_comment=with_comment)
    if not form.is_valid():
        raise form_errors(form)
    return form


@extend_schema_view(
    list=extend_schema(summary="Офисы обслуживания: услуги и часы приёма"),
    retrieve=extend_schema(summary="Офис обслуживания"),
)
class OfficeViewSet(CustomerViewSet):
    model = Office
    serializer_class = s.OfficeSerializer
    ordering = ("name", "pk")

    def base_queryset(self) -> QuerySet:
        # Offices are the company's, the same for every customer.
        return _offices()

    @extend_schema(
        summary="Дни со свободным временем",
        responses=s.FreeDaysSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def days(self, request, pk=None):
        office = self.get_object()
        return Response({"days": services.free_days(office=office)})

    @extend_schema(
        summary="Свободное время офиса на день",
        parameters=[
            OpenApiParameter(
                "day", OpenApiTypes.DATE, required=True, description="День, ГГГГ-ММ-ДД"
            ),
            OpenApiParameter("service", OpenApiTypes.INT, description="Услуга офиса"),
        ],
        responses={
            200: s.SlotSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="Не указан день или услуга"),
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def slots(self, request, pk=None):
        office = self.get_object()
        errors = {}
        day = param_date(request.query_params, "day")
        if day is None:
            errors["day"] = [_("Укажите день в формате ГГГГ-ММ-ДД.")]
        raw = request.query_params.get("service")
        if raw not in (None, ""):
            service_id = parse_id(raw)
            if service_id is None or service_id not in {x.pk for x in office.active_services}:
                errors["service"] = [_("Эта услуга в выбранном офисе не оказывается.")]
        if errors:
            raise serializers.ValidationError(errors)
        slots = services.free_slots(office=office, day=day)
        return Response(s.SlotSerializer(slots, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Мои записи на приём"),
    retrieve=extend_schema(summary="Запись на приём"),
)
class AppointmentViewSet(CustomerViewSet):
    model = Appointment
    serializer_class = s.AppointmentSerializer
    select_related = ("office", "service", "slot")
    ordering = ("-slot__starts_at", "-pk")
    query_parameters = {
        "upcoming": ("", "1 — предстоящие (ближайшие первыми), 0 — прошедшие и отменённые")
    }

    def filter_queryset_by_params(self, queryset: QuerySet) -> QuerySet:
        upcoming = self.request.query_params.get("upcoming", "")
        if upcoming == "":
            return queryset
        if upcoming not in ("0", "1"):
            raise serializers.ValidationError({"upcoming": [_("Укажите 1 или 0.")]})
        return selectors.my_appointments(self.request.user, upcoming=upcoming == "1")

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("upcoming") == "1":
            return queryset.order_by("slot__starts_at", "pk")
        return queryset

    @extend_schema(
        summary="Записаться на приём",
        description=(
            "Офис, его услуга и свободное время (GET /offices/{id}/slots/?day=). Время, занятое "
            "тем временем, — ошибка поля slot. Заголовок Idempotency-Key (по желанию) не даёт "
            "повтору запроса записать дважды."
        ),
        parameters=[idempotency_parameter()],
        request=s.AppointmentBookSerializer,
        responses={
            201: s.AppointmentSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Запись не сделана"),
            422: OpenApiResponse(ErrorSerializer, description="Ключ уже использован"),
        },
    )
    def create(self, request):
        return idempotent_response(request, lambda: self._book(request))

    def _book(self, request) -> tuple[int, dict]:
        given = s.AppointmentBookSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        office = selectors.offices_active().filter(pk=data["office"]).first()
        if office is None:
            raise serializers.ValidationError({"office": [_("Выберите офис из списка.")]})
        service = selectors.office_services(office).filter(pk=data["service"]).first()
        if service is None:
            raise serializers.ValidationError(
                {"service": [_("Эта услуга в выбранном офисе не оказывается.")]}
            )
        form = _slot_form(
            data,
            services.free_slots(office=office).filter(pk=data["slot"]),
            with_comment=True,
        )
        appointment = services.appointment_book(
            user=request.user,
            office=office,
            service=service,
            slot_id=form.cleaned_data["slot"],
            comment=form.cleaned_data["comment"],
        )
        return status.HTTP_201_CREATED, dict(s.AppointmentSerializer(appointment).data)

    @extend_schema(
        summary="Отменить запись",
        request=None,
        responses={
            200: s.AppointmentSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Отменить уже нельзя"),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        appointment = self.get_object()
        cancelled = services.appointment_cancel(user=request.user, appointment=appointment)
        return Response(s.AppointmentSerializer(cancelled).data)

    @extend_schema(
        summary="Перенести запись на другое время того же офиса",
        request=s.AppointmentMoveSerializer,
        responses={
            201: s.AppointmentSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Перенести нельзя"),
        },
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        appointment = self.get_object()
        given = s.AppointmentMoveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        if not services.can_change(appointment):
            # The service says why (no longer booked, or too close to the visit).
            services.appointment_move(
                user=request.user, appointment=appointment, slot_id=given.validated_data["slot"]
            )
        free = services.free_slots(office=appointment.office).exclude(pk=appointment.slot_id)
        form = _slot_form(
            given.validated_data,
            free.filter(pk=given.validated_data["slot"]),
            with_comment=False,
        )
        moved = services.appointment_move(
            user=request.user, appointment=appointment, slot_id=form.cleaned_data["slot"]
        )
        return Response(s.AppointmentSerializer(moved).data, status=status.HTTP_201_CREATED)
