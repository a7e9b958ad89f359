from collections.abc import Callable
from urllib.parse import urlencode

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
