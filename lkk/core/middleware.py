from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from lkk.core.views import error_page


class LanguageMiddleware:
    """Russian unless the visitor chose English with the switch.

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: the portal speaks
    Russian by default, whatever language the browser was set up in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response


class ErrorPageMiddleware:
    """A 405 answered without a body (Django's HttpResponseNotAllowed, `require_POST`) gets the
    portal's error page, keeping its status and headers (Allow, CSP…)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            page = error_page(request, 405)
            response.content = page.content
            response["Content-Type"] = page["Content-Type"]
        return response
