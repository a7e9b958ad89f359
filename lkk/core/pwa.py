"""The installable app (P2): the web app manifest, the service worker and the offline page.

The service worker is served from the root (/sw.js) so that its scope is the whole portal; it is
a template because it names the hashed static files of the app shell it caches. It never caches
a page or an API answer: pages are network-first with /offline/ as the fallback, and /offline/
is a page with nothing personal on it.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

#: Static files of the app shell, cached at install (Bootstrap, the portal's CSS/JS, icons).
SHELL_STATIC = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "lkk/app.css",
    "lkk/app.js",
    "lkk/pwa.js",
    "lkk/favicon.svg",
    "lkk/icons/icon-192.png",
)
THEME_COLOR = "#0a58ca"


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [
        {"src": static(f"lkk/icons/icon-{size}.png"), "sizes": f"{size}x{size}",
         "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ] + [
        {"src": static(f"lkk/icons/icon-maskable-{size}.png"), "sizes": f"{size}x{size}",
         "type": "image/png", "purpose": "maskable"}
        for size in (192, 512)
    ]  # fmt: skip
    data = {
        "name": _("Личный кабинет клиента — %(company)s") % {"company": settings.LKK_COMPANY_NAME},
        "short_name": _("Личный кабинет"),
        "description": _("Договоры, показания, начисления и уведомления"),
        "lang": "ru",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": icons,
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [reverse("offline"), *(static(path) for path in SHELL_STATIC)]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    body = render_to_string(
        "core/sw.js",
        {"shell": json.dumps(shell), "version": version, "offline": json.dumps(reverse("offline"))},
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # A new deployment's worker is found at the next visit, not a day later.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@cache_control(max_age=0, public=True)
def offline(request: HttpRequest) -> HttpResponse:
    """«Нет соединения»: the same for everyone (the service worker keeps a copy)."""
    return render(request, "core/offline.html", {"company_name": settings.LKK_COMPANY_NAME})
