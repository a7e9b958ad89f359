"""The customer's objects, read-only: the billing mirror, receipts, money and documents (P1)."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action

from lkk.api import serializers as s
from lkk.api.schema import ErrorSerializer
from lkk.api.views.base import CustomerViewSet
from lkk.billing.models import Charge, Document, Payment
from lkk.customers.models import ConsumptionObject, Contract, Counterparty, Meter, MeteringPoint
from lkk.readings.models import Reading, Submission

CONTRACT = {"contract": ("contract_id", "Только по этому договору")}


@extend_schema_view(
    list=extend_schema(summary="Контрагенты"), retrieve=extend_schema(summary="Контрагент")
)
class CounterpartyViewSet(CustomerViewSet):
    model = Counterparty
    serializer_class = s.CounterpartySerializer
    ordering = ("short_name", "pk")


@extend_schema_view(
    list=extend_schema(summary="Договоры"), retrieve=extend_schema(summary="Договор")
)
class ContractViewSet(CustomerViewSet):
    model = Contract
    serializer_class = s.ContractSerializer
    query_parameters = {"counterparty": ("counterparty_id", "Только этого контрагента")}
    ordering = ("number", "pk")


@extend_schema_view(
    list=extend_schema(summary="Объекты потребления"),
    retrieve=extend_schema(summary="Объект потребления"),
)
class ConsumptionObjectViewSet(CustomerViewSet):
    model = ConsumptionObject
    serializer_class = s.ConsumptionObjectSerializer
    query_parameters = CONTRACT
    ordering = ("name", "pk")


@extend_schema_view(
    list=extend_schema(summary="Точки учёта"), retrieve=extend_schema(summary="Точка учёта")
)
class MeteringPointViewSet(CustomerViewSet):
    model = MeteringPoint
    serializer_class = s.MeteringPointSerializer
    query_parameters = {
        **CONTRACT,
        "object": ("consumption_object_id", "Только на этом объекте потребления"),
    }
    ordering = ("code", "pk")


@extend_schema_view(
    list=extend_schema(summary="Приборы учёта"), retrieve=extend_schema(summary="Прибор учёта")
)
class MeterViewSet(CustomerViewSet):
    model = Meter
    serializer_class = s.MeterSerializer
    query_parameters = {
        "contract": ("metering_point__contract_id", "Только по этому договору"),
        "point": ("metering_point_id", "Только в этой точке учёта"),
    }
    ordering = ("serial_number", "pk")

    @extend_schema(
        summary="История показаний прибора учёта",
        responses=s.ReadingSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="readings")
    def readings(self, request, pk=None):
        meter = self.get_object()
        readings = (
            Reading.objects.visible_to(request.user)
            .filter(meter=meter)
            .order_by("-read_on", "zone", "-pk")
        )
        page = self.paginate_queryset(readings)
        return self.get_paginated_response(s.ReadingSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Квитанции о передаче показаний"),
    retrieve=extend_schema(summary="Квитанция о передаче показаний"),
)
class ReceiptViewSet(CustomerViewSet):
    model = Submission
    serializer_class = s.ReceiptSerializer
    ordering = ("-created_at", "-pk")

    def get_queryset(self) -> QuerySet:
        # Only the readings the user may see: a receipt may hold other contracts' readings
        # (made before the user's grant was narrowed). One query for the page's readings.
        visible = Reading.objects.visible_to(self.request.user).order_by("meter_id", "zone")
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("readings", queryset=visible, to_attr="visible_readings"))
        )


@extend_schema_view(
    list=extend_schema(summary="Начисления"), retrieve=extend_schema(summary="Начисление")
)
class ChargeViewSet(CustomerViewSet):
    model = Charge
    serializer_class = s.ChargeSerializer
    query_parameters = CONTRACT
    ordering = ("-period", "-pk")


@extend_schema_view(list=extend_schema(summary="Платежи"), retrieve=extend_schema(summary="Платёж"))
class PaymentViewSet(CustomerViewSet):
    model = Payment
    serializer_class = s.PaymentSerializer
    query_parameters = CONTRACT
    ordering = ("-paid_on", "-pk")


@extend_schema_view(
    list=extend_schema(summary="Документы"), retrieve=extend_schema(summary="Документ")
)
class DocumentViewSet(CustomerViewSet):
    model = Document
    serializer_class = s.DocumentSerializer
    query_parameters = CONTRACT
    ordering = ("-issued_on", "-pk")

    def perform_content_negotiation(self, request, force=False):
        # The file answers whatever Accept asks; its errors are JSON like every other.
        return super().perform_content_negotiation(request, force=force or self.action == "file")

    @extend_schema(
        summary="Файл документа",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="Файл"),
            404: OpenApiResponse(ErrorSerializer, description="Нет документа или его файла"),
        },
    )
    @action(detail=True, methods=["get"], url_path="file")
    def file(self, request, pk=None):
        document = self.get_object()
        if not document.file:
            raise Http404
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        name = PurePosixPath(document.file.name).name
        response = FileResponse(handle, as_attachment=True, filename=name)
        response["Content-Type"] = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
