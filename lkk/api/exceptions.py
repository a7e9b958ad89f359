"""Every API error as one JSON shape: `{"detail": "…", "errors": {"field": ["…"]}}`.

`detail` says what happened in a sentence (Russian by default, like the site); `errors` ties
messages to the fields of the request body or query (`non_field_errors` for the body as a
whole, `items.0.value` for a nested field) and is empty when no field is at fault.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lkk.core.errors import ApplicationError


class Unprocessable(exceptions.APIException):
    """422: the request is well-formed but cannot be done (a key reused with another body)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


def flatten(detail: object, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"a.0.b": ["…"]}."""
    if isinstance(detail, dict):
        found: dict[str, list[str]] = {}
        for key, value in detail.items():
            found.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        found = {}
        for index, value in enumerate(detail):
            if value:
                found.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return found
    return {prefix or "non_field_errors": [str(detail)]}


def error_response(
    detail: str, errors: dict[str, list[str]] | None = None, *, status_code: int = 400
) -> Response:
    return Response({"detail": detail, "errors": errors or {}}, status=status_code)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        field = exc.field or "non_field_errors"
        return error_response(exc.message, {field: [exc.message]}, status_code=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Не найдено."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a 500: Django's own handler (and the logs) take it
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _("Проверьте введённые данные."),
            "errors": flatten(exc.detail),
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, dict | list):
            errors = flatten(detail)
            text = next(iter(errors.values()))[0] if errors else _("Ошибка запроса.")
            response.data = {"detail": text, "errors": errors}
        else:
            response.data = {"detail": str(detail), "errors": {}}
    return response
