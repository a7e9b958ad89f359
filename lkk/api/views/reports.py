"""Reports (R1–R4) in the app: «Мои отчёты», ordering one, its progress, its files, a retry.

The order goes through the site's form (`ReportOrderForm`) and services; a report is opened
(its details and files) only under the site's rule `report_still_visible`: its owner still sees
every contract it covers.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils import timezone
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
from lkk.core.errors import ApplicationError
from lkk.core.params import param_choice
from lkk.reports import services
from lkk.reports.forms import ReportOrderForm
from lkk.reports.models import Report

FORMATS = {"xlsx": "xlsx", "pdf": "pdf"}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@extend_schema_view(
    list=extend_schema(summary="Мои отчёты"),
    retrieve=extend_schema(summary="Отчёт", responses=s.ReportDetailSerializer),
)
class ReportViewSet(CustomerViewSet):
    model = Report
    serializer_class = s.ReportSerializer
    ordering = ("-created_at", "-pk")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ReportDetailSerializer
        return super().get_serializer_class()

    def _opened(self) -> Report:
        """The report, if the user still sees every contract it covers (else a 404)."""
        report = self.get_object()
        if not services.report_still_visible(self.request.user, report):
            raise Http404
        return report

    def retrieve(self, request, pk=None):
        report = self._opened()
        report.contract_numbers = services.report_contract_numbers(request.user, report)
        return Response(s.ReportDetailSerializer(report).data)

    @extend_schema(
        summary="Заказать отчёт",
        description=(
            "Параметры проверяет та же форма, что на сайте; отчёт формируется в фоне — "
            "его состояние: GET /reports/{id}/status/. Заголовок Idempotency-Key (по желанию) "
            "не даёт повтору запроса заказать отчёт дважды."
        ),
        parameters=[idempotency_parameter()],
        request=s.ReportOrderSerializer,
        responses={
            201: s.ReportSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Отчёт не заказан"),
            422: OpenApiResponse(ErrorSerializer, description="Ключ уже использован"),
        },
    )
    def create(self, request):
        return idempotent_response(request, lambda: self._order(request))

    def _order(self, request) -> tuple[int, dict]:
        given = s.ReportOrderSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        form = ReportOrderForm(user=request.user, today=timezone.localdate())
        choices = [pk for pk, _name in form.fields["counterparty"].choices]
        counterparty = data.get("counterparty")
        if counterparty is None and len(choices) == 1:
            counterparty = choices[0]
        bound = {
            "kind": data["kind"],
            "counterparty": "" if counterparty is None else str(counterparty),
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "contracts": [str(pk) for pk in data.get("contracts") or []],
        }
        form = ReportOrderForm(bound, user=request.user, today=timezone.localdate())
        if not form.is_valid():
            raise form_errors(form)
        report = services.report_order_cleaned(user=request.user, data=form.cleaned_data)
        return status.HTTP_201_CREATED, dict(s.ReportSerializer(report).data)

    @extend_schema(summary="Состояние и готовность отчёта", responses=s.ReportStatusSerializer)
    @action(detail=True, methods=["get"], url_path="status")
    def state(self, request, pk=None):
        report = self.get_object()
        return Response(
            {
                "status": report.status,
                "status_title": report.get_status_display(),
                "progress": report.progress,
            },
            headers={"Cache-Control": "no-store"},
        )

    @extend_schema(
        summary="Повторить отчёт с ошибкой",
        request=None,
        responses={
            200: s.ReportSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Отчёт не с ошибкой"),
        },
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        report = self._opened()
        if not services.report_retry(report):
            raise ApplicationError(_("Повторить можно только отчёт, который не сформирован."))
        report.refresh_from_db()
        return Response(s.ReportSerializer(report).data)

    def perform_content_negotiation(self, request, force=False):
        # The file answers whatever Accept asks; its errors are JSON like every other.
        return super().perform_content_negotiation(request, force=force or self.action == "file")

    @extend_schema(
        summary="Скачать отчёт (XLSX или PDF)",
        parameters=[
            OpenApiParameter(
                "format", str, enum=list(FORMATS), description="xlsx (по умолчанию) или pdf"
            )
        ],
        responses={
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="Файл")
                for content_type in CONTENT_TYPES.values()
            },
            400: OpenApiResponse(ErrorSerializer, description="Неизвестный формат"),
            404: OpenApiResponse(ErrorSerializer, description="Нет отчёта или он не готов"),
        },
    )
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        report = self._opened()
        kind = param_choice(request.query_params, "format", FORMATS, default="xlsx")
        if kind is None:
            raise serializers.ValidationError({"format": [_("Укажите xlsx или pdf.")]})
        file = getattr(report, kind)
        if report.status != Report.Status.DONE or not file:
            raise Http404
        try:
            handle = file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{report.kind}-{report.pk}-{report.created_at:%Y%m%d}.{kind}",
            content_type=CONTENT_TYPES[kind],
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
