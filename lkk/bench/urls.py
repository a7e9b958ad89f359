"""The portal's URLs and the floor view (only here: `lkk.urls` never routes to it)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from lkk.customers.access import access_scope
from lkk.urls import urlpatterns as portal_urlpatterns

FLOOR_PATH = "__bench__/floor/"


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """The framework's floor: session, user, one indexed query (the user's grants), a tiny page."""
    scope = access_scope(request.user)
    return HttpResponse(
        f"<!doctype html><title>floor</title><p>{len(scope.counterparty_ids)}</p>",
        content_type="text/html; charset=utf-8",
    )


urlpatterns = [path(FLOOR_PATH, floor, name="bench_floor"), *portal_urlpatterns]
