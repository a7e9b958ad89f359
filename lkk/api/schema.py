"""The OpenAPI schema: every operation also documents the error shape of `exceptions.py`."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Что случилось, одной фразой")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Сообщения по полям запроса: {"поле": ["сообщение"]}',
    )


#: Error answers every operation may give: authentication, not found, throttling.
COMMON_ERRORS = {
    "401": "Нет ключа доступа, или он недействителен",
    "403": "Нет прав",
    "404": "Не найдено (в том числе чужой объект)",
    "405": "Метод не поддерживается",
    "406": "Формат ответа не поддерживается",
    "429": "Слишком много попыток",
}
#: ... and those that read a body.
BODY_ERRORS = {
    "400": "Ошибка в данных запроса (поля — в errors)",
    "415": "Тело запроса не в JSON",
}


class AutoSchema(openapi.AutoSchema):
    def get_override_parameters(self):
        """A list's filters (CustomerViewSet.query_parameters): integer query parameters."""
        parameters = list(super().get_override_parameters())
        if getattr(self.view, "action", None) == "list":
            for name, (_lookup, description) in getattr(self.view, "query_parameters", {}).items():
                parameters.append(OpenApiParameter(name, OpenApiTypes.INT, description=description))
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(COMMON_ERRORS)
        if self.method in ("POST", "PUT", "PATCH") or self._has_query_filters():
            # 415 only where a body is read.

            errors.update(BODY_ERRORS)
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses

    def _has_query_filters(self) -> bool:
        return getattr(self.view, "action", None) == "list" and bool(
            getattr(self.view, "query_parameters", ())
        )


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "lkk.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Ключ из POST /api/v1/auth/token/",
        }
