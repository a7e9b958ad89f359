"""Submitting readings from the app: the site's service, made idempotent by `Idempotency-Key`.

The key (any text up to 255 characters the app makes once per submission, say a UUID) becomes
the receipt's one-time token, so a retried request cannot write twice, and the first answer is
kept (lkk.api.models.IdempotentAnswer): the same key and body replay it, the same key with another
body is refused with 422.
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from lkk.api import serializers as s
from lkk.api.exceptions import Unprocessable, flatten
from lkk.api.schema import ErrorSerializer
from lkk.api.services import IdempotencyConflict, idempotent
from lkk.core.errors import ApplicationError
from lkk.customers.access import get_object_for_user
from lkk.customers.models import Meter
from lkk.readings import services
from lkk.readings.models import Reading, Submission

HEADER = "Idempotency-Key"
KEY_MAX = 255
#: uuid5 namespace of the receipts' tokens made from the app's keys.
TOKEN_NAMESPACE = uuid.UUID("6f1d3c52-6a43-4a4e-9a55-1f0d0b8e6b11")


def _error(detail: str, errors: dict[str, list[str]]) -> tuple[int, dict]:
    return status.HTTP_400_BAD_REQUEST, {"detail": detail, "errors": errors}


class ReadingsSubmitView(APIView):
    @extend_schema(
        summary="Передать показания",
        description=(
            "Показания одного или нескольких приборов учёта одного контрагента. Заголовок "
            "Idempotency-Key обязателен: повтор с тем же ключом и телом возвращает первый ответ "
            "(и заголовок Idempotent-Replayed: true), тот же ключ с другим телом — 422."
        ),
        parameters=[
            OpenApiParameter(
                HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="Уникальный ключ этой передачи (например, UUID), до 255 символов",
            )
        ],
        request=s.ReadingsSubmitSerializer,
        responses={
            201: s.ReceiptSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Показания не приняты"),
            422: OpenApiResponse(
                ErrorSerializer, description="Ключ уже использован с другим телом"
            ),
        },
    )
    def post(self, request):
        key = request.headers.get(HEADER, "").strip()
        if not key or len(key) > KEY_MAX or not key.isprintable():
            message = _("Укажите заголовок Idempotency-Key: до 255 печатных символов.")
            return Response({"detail": message, "errors": {HEADER: [message]}}, status=400)
        try:
            code, body, replayed = idempotent(
                user=request.user,
                key=key,
                data=request.data,
                compute=lambda: self.submit(request, key),
            )
        except IdempotencyConflict:
            raise Unprocessable(
                _("Этот Idempotency-Key уже использован с другими данными.")
            ) from None
        response = Response(body, status=code)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def submit(self, request, key: str) -> tuple[int, dict]:
        given = s.ReadingsSubmitSerializer(data=request.data)
        if not given.is_valid():
            return _error(_("Проверьте введённые данные."), flatten(given.errors))
        items = given.validated_data["readings"]
        user = request.user
        meters = {
            m.pk: m
            for m in Meter.objects.visible_to(user)
            .select_related("metering_point__contract")
            .filter(pk__in=[item["meter"] for item in items])
        }
        missing = {
            f"readings.{i}.meter": [_("Прибор учёта не найден.")]
            for i, item in enumerate(items)
            if item["meter"] not in meters
        }
        if missing:
            return _error(_("Проверьте введённые данные."), missing)
        inputs = [
            services.MeterInput(
                meter=meters[item["meter"]], values=item["values"], confirmed=item["confirmed"]
            )
            for item in items
        ]
        token = uuid.uuid5(TOKEN_NAMESPACE, f"{user.pk}:{key}")
        try:
            submission, _created = services.readings_submit(
                user=user, token=token, inputs=inputs, channel=Submission.Channel.API
            )
        except services.RejectedSubmission as rejected:
            return _error(rejected.message, _verdict_errors(rejected.verdicts, items))
        except ApplicationError as error:
            return _error(error.message, {"non_field_errors": [error.message]})
        return status.HTTP_201_CREATED, receipt_body(user, submission.pk)


def receipt_body(user, submission_id: int) -> dict:
    submission = get_object_for_user(Submission, user, pk=submission_id)
    submission.visible_readings = list(
        Reading.objects.visible_to(user).filter(submission=submission).order_by("meter_id", "zone")
    )
    return dict(s.ReceiptSerializer(submission).data)


def _verdict_errors(verdicts, items) -> dict[str, list[str]]:
    index = {item["meter"]: i for i, item in enumerate(items)}
    errors: dict[str, list[str]] = {}
    for verdict in verdicts:
        i = index[verdict.meter.pk]
        if verdict.error:
            errors.setdefault(f"readings.{i}.meter", []).append(verdict.error)
        for zone in verdict.zones:
            if zone.error:
                errors.setdefault(f"readings.{i}.values.{zone.zone}", []).append(zone.error)
            elif zone.confirm and not verdict.has_errors:
                errors.setdefault(f"readings.{i}.confirmed", []).append(zone.confirm)
    return errors
