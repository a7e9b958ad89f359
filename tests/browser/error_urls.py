"""The portal's URL map plus views that fail on purpose, for the error pages' browser tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from lkk import urls as portal


def _bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a deliberately bad request")


def _denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a deliberate failure: the 500 page is under test")


@require_POST
def _post_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("posted")


handler400 = portal.handler400
handler403 = portal.handler403
handler404 = portal.handler404
handler500 = portal.handler500

urlpatterns = [
    path("test-errors/400/", _bad_request),
    path("test-errors/403/", _denied),
    path("test-errors/405/", _post_only),
    path("test-errors/500/", _broken),
    *portal.urlpatterns,
]
