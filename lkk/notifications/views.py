"""The development outbox: where the demo user reads the codes the portal «sent» (N3)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from lkk.notifications.selectors import outbox_latest

DEV_OUTBOX_SIZE = 50


def dev_outbox_enabled() -> bool:
    """Only with DEBUG or DEMO_MODE; a production site has no such page at all."""
    return bool(settings.DEBUG or settings.DEMO_MODE)


@never_cache
def dev_outbox(request: HttpRequest) -> HttpResponse:
    """The latest messages with their bodies, codes included. Public: a demo visitor reads the
    code before having an account. Anything but DEBUG or DEMO_MODE answers 404 to every method."""
    if not dev_outbox_enabled():
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return render(
        request,
        "notifications/dev_outbox.html",
        {"outbox": outbox_latest(limit=DEV_OUTBOX_SIZE), "size": DEV_OUTBOX_SIZE},
    )
