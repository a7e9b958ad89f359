"""The one base of the API's customer resources: every row through `visible_to(request.user)`.

A resource is a subclass naming its model, serializer, the query filters it takes and what to
join; the router in lkk/api/urls.py gives it `GET /…/` (a page) and `GET /…/{id}/`. Another
customer's object, a missing one and an id that is no id are the same 404.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets

from lkk.core.params import parse_id


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    model: type[Model]
    #: query parameter → (lookup of an id, description); e.g. {"contract": ("contract_id", "…")}
    query_parameters: dict[str, tuple[str, str]] = {}
    select_related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("pk",)

    def base_queryset(self) -> QuerySet:
        """The rows the user may see: the only door to the model (lkk/customers/access.py)."""
        return self.model.objects.visible_to(self.request.user)

    def get_queryset(self) -> QuerySet:
        queryset = self.base_queryset()
        if self.action == "list":
            queryset = self.filter_queryset_by_params(queryset)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset.order_by(*self.ordering)

    def filter_queryset_by_params(self, queryset: QuerySet) -> QuerySet:
        errors = {}
        for name, (lookup, _description) in self.query_parameters.items():
            raw = self.request.query_params.get(name)
            if raw is None or raw == "":
                continue
            value = parse_id(raw)
            if value is None:
                errors[name] = [_("Укажите целое положительное число.")]
                continue
            queryset = queryset.filter(**{lookup: value})
        if errors:
            raise serializers.ValidationError(errors)
        return queryset

    def get_object(self) -> Model:
        pk = parse_id(str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")))
        if pk is None:
            raise Http404
        try:
            return self.get_queryset().get(pk=pk)
        except self.model.DoesNotExist:
            raise Http404 from None


# --- Idempotency-Key on the POSTs that create something -----------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 255


def idempotency_parameter(*, required: bool = False):
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        IDEMPOTENCY_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=required,
        description=(
            "Ключ этой операции (например, UUID), до 255 печатных символов: повтор с тем же "
            "ключом и телом возвращает первый ответ (заголовок Idempotent-Replayed: true), "
            "тот же ключ с другим телом — 422"
        ),
    )


class Conflict(Exception):
    """An answer of 409 from inside an idempotent computation (e.g. a survey answered)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _answer_of(compute) -> tuple[int, dict]:
    """`compute()` → (status, body); the refusals it raises become the API's error bodies, so
    that they too are kept and replayed for the key."""
    from lkk.api.exceptions import flatten
    from lkk.core.errors import ApplicationError

    try:
        return compute()
    except serializers.ValidationError as exc:
        return 400, {"detail": _("Проверьте введённые данные."), "errors": flatten(exc.detail)}
    except ApplicationError as exc:
        field = exc.field or "non_field_errors"
        return 400, {"detail": exc.message, "errors": {field: [exc.message]}}
    except Conflict as exc:
        return 409, {"detail": exc.message, "errors": {"non_field_errors": [exc.message]}}


def idempotent_response(request, compute):
    """The answer of `compute` made idempotent by the request's Idempotency-Key (when sent):
    the same key and body replay the first answer, the same key with another body is a 422."""
    from rest_framework.response import Response

    from lkk.api.exceptions import Unprocessable
    from lkk.api.services import IdempotencyConflict, idempotent

    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        code, body = _answer_of(compute)
        return Response(body, status=code)
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        message = _("Укажите заголовок Idempotency-Key: до 255 печатных символов.")
        return Response({"detail": message, "errors": {IDEMPOTENCY_HEADER: [message]}}, status=400)
    try:
        code, body, replayed = idempotent(
            user=request.user, key=key, data=request.data, compute=lambda: _answer_of(compute)
        )
    except IdempotencyConflict:
        raise Unprocessable(_("Этот Idempotency-Key уже использован с другими данными.")) from None
    response = Response(body, status=code)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def form_errors(form) -> serializers.ValidationError:
    """A Django form's errors as the API's (`__all__` → non_field_errors)."""
    return serializers.ValidationError(
        {
            ("non_field_errors" if field == "__all__" else field): list(messages)
            for field, messages in form.errors.items()
        }
    )
