"""The development outbox: where the demo user reads the codes the portal «sent» (N3)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lkk.core.params import param_choice, param_page
from lkk.notifications import services
from lkk.notifications.selectors import notifications_of, outbox_latest

NOTIFICATIONS_PER_PAGE = 20

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


@login_required
@never_cache
def notification_list(request: HttpRequest) -> HttpResponse:
    """«Уведомления» (N1, seed 004): the user's own notices, newest first; «Непрочитанные»
    filters them. Opening one marks it read."""
    shown = param_choice(request.GET, "show", ("all", "unread"), default="all") or "all"
    page = Paginator(
        notifications_of(request.user, unread_only=shown == "unread"), NOTIFICATIONS_PER_PAGE
    ).get_page(param_page(request.GET))
    return render(request, "notifications/list.html", {"page": page, "shown": shown})


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Marks the notice read and opens what it is about (a page of the portal), or the list.

    GET only reads: marking read is done by POST (the list's buttons), so that a prefetching
    browser does not mark anything."""
    if request.method == "POST":
        notification = services.notification_read(request.user, notification_id)
        if notification is None:
            raise Http404
        target = notification.url
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("notifications:list")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    notification = notifications_of(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    return render(request, "notifications/detail.html", {"notification": notification})


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_read_all(request.user)
    if count:
        messages.success(request, _("Все уведомления отмечены прочитанными."))
    return redirect("notifications:list")


# --- Web Push opt-in (P2) ----------------------------------------------------------------------

PUSH_BODY_MAX = 4096


def _push_fields(data: object) -> dict[str, str] | None:
    """The browser's PushSubscription.toJSON(): an https endpoint on a public host and its keys."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        return None
    endpoint, keys = data.get("endpoint"), data["keys"]
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not all(isinstance(v, str) and v for v in (endpoint, p256dh, auth)):
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    # The server POSTs to this address: only a push service on the internet, never this network.
    if parts.scheme != "https" or not host or host == "localhost" or host.endswith(".local"):
        return None
    if host.replace(".", "").isdigit() or ":" in host or len(endpoint) > 1000:
        return None
    if len(p256dh) > 200 or len(auth) > 100:
        return None
    return {"endpoint": endpoint, "p256dh": p256dh, "auth": auth}


@login_required
@require_POST
def push_subscribe(request: HttpRequest) -> HttpResponse:
    """The profile's «Включить push-уведомления»: pwa.js posts the browser's subscription here."""
    import json

    from django.http import JsonResponse

    from lkk.notifications.push import push_enabled
    from lkk.notifications.push import push_subscribe as subscribe

    if not push_enabled():
        raise Http404
    try:
        data = json.loads(request.body[:PUSH_BODY_MAX] or b"null")
    except ValueError:
        data = None
    fields = _push_fields(data)
    if fields is None:
        return JsonResponse({"detail": _("Подписка браузера не распознана.")}, status=400)
    subscribe(user=request.user, user_agent=request.META.get("HTTP_USER_AGENT", ""), **fields)
    return JsonResponse({"detail": _("Push-уведомления включены.")}, status=201)


@login_required
@require_POST
def push_unsubscribe(request: HttpRequest) -> HttpResponse:
    from lkk.notifications.push import push_unsubscribe as unsubscribe

    unsubscribe(user=request.user)
    messages.success(request, _("Push-уведомления выключены."))
    return redirect("accounts:profile")
