"""The app's login: a token for the site's credentials, under the site's captcha and lockout.

The token endpoint runs the site's own `LoginForm` (lkk/accounts/forms/auth.py) on the request:
django-axes' lock per account+IP, the per-address cool-off and captcha of
`lkk.accounts.services.throttle`, the image captcha and the audit log apply to it unchanged.
"""

from __future__ import annotations

from captcha.models import CaptchaStore
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lkk.accounts.forms.auth import LoginForm
from lkk.accounts.views.auth import login_refused_audit
from lkk.api import serializers as s
from lkk.api.services import token_issue, token_revoke

#: LoginForm's error codes that mean "locked": answered 429.
LOCKED_CODES = {"locked", "ip_locked"}


class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Вход: ключ доступа по логину и паролю",
        description=(
            "Те же правила, что у входа на сайте: после нескольких неудачных попыток нужен код с "
            "картинки (ответ 400 с полем errors.captcha, captcha_key и captcha_image), после 5 — "
            "блокировка (429)."
        ),
        request=s.TokenRequestSerializer,
        responses={
            201: s.TokenSerializer,
            400: OpenApiResponse(s.TokenErrorSerializer, description="Неверные данные входа"),
            429: OpenApiResponse(s.TokenErrorSerializer, description="Вход заблокирован"),
        },
        auth=[],
    )
    def post(self, request):
        django_request = request._request
        # lockout_response (AXES_LOCKOUT_CALLABLE) keeps this answer, marked 429.
        django_request.lkk_login_page = True
        given = s.TokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        form = LoginForm(
            django_request,
            data={
                "username": data["username"],
                "password": data["password"],
                "captcha_0": data.get("captcha_key", ""),
                "captcha_1": data.get("captcha", ""),
            },
        )
        if form.is_valid():
            user = form.get_user()
            if user.is_staff:
                # Operators and admins log in with a second factor: not through the app.
                return Response(
                    {"detail": _("Вход сотрудников через приложение недоступен."), "errors": {}},
                    status=status.HTTP_403_FORBIDDEN,
                )
            token, key = token_issue(request=django_request, user=user)
            return Response(
                s.TokenSerializer({"token": key, "expires_at": token.expires_at}).data,
                status=status.HTTP_201_CREATED,
            )
        login_refused_audit(django_request, form)
        errors = {
            ("non_field_errors" if name == "__all__" else name): [e["message"] for e in items]
            for name, items in form.errors.get_json_data().items()
        }
        codes = {error.code for errors_ in form.errors.as_data().values() for error in errors_}
        locked = bool(codes & LOCKED_CODES) or getattr(django_request, "axes_locked_out", False)
        body = {"detail": next(iter(errors.values()))[0], "errors": errors}
        if "captcha" in form.fields:
            key = CaptchaStore.generate_key()
            body["captcha_key"] = key
            body["captcha_image"] = reverse("captcha-image", kwargs={"key": key})
        return Response(body, status=429 if locked else status.HTTP_400_BAD_REQUEST)


class LogoutView(APIView):
    @extend_schema(
        summary="Выход: ключ доступа больше не действует",
        request=None,
        responses={204: OpenApiResponse(description="Ключ отозван")},
    )
    def post(self, request):
        token_revoke(request=request._request, user=request.user, token_id=request.auth.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(summary="Текущий пользователь", responses=s.MeSerializer)
    def get(self, request):
        return Response(s.MeSerializer(request.user).data)
