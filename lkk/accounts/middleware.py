from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from lkk.accounts.services.consent import SESSION_FLAG


class ConsentMiddleware:
    """Keeps a user who has not accepted the agreement in force on the consent page (A8).

    Only a session flag is read here (set at login), so pages cost no extra query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            getattr(request, "session", None) is not None
            and request.session.get(SESSION_FLAG)
            and request.user.is_authenticated
            and not self._exempt(request.path)
        ):
            target = reverse("accounts:consent")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("accounts:consent"),
            reverse("accounts:agreement"),
            reverse("accounts:logout"),
            reverse("set_language"),
            "/static/",
        )
        return path.startswith(exempt)


def needs_second_factor(user: object) -> bool:
    """Operators and admins log in with a TOTP code after the password; customers do not."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
    )


def is_verified(user: object) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def url_with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: an operator or admin who has not entered a TOTP code in
    this session reaches only the second-factor steps and «Выйти»; any other page (the customer
    pages, the back office) sends them to the code step first."""

    EXEMPT = ("accounts:otp_verify", "accounts:otp_setup", "accounts:logout", "set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if needs_second_factor(user) and not is_verified(user) and not self._exempt(request):
            return redirect(url_with_next("accounts:otp_verify", request.get_full_path()))
        return self.get_response(request)

    def _exempt(self, request: HttpRequest) -> bool:
        path = request.path_info
        if path.startswith(settings.STATIC_URL):
            return True
        return path in {reverse(name) for name in self.EXEMPT}
