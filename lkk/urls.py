from captcha import urls as captcha_urls
from django.contrib import admin
from django.urls import include, path

from lkk.accounts.views.auth import AdminSite
from lkk.core import pwa

# The back office behind the second factor (django-otp's OTPAdminSite, as its docs advise).
admin.site.__class__ = AdminSite

#: The login captcha's image and its JSON refresh; no audio captcha (no flite/sox installed).
CAPTCHA_ROUTES = ("captcha-image", "captcha-refresh")


urlpatterns = [
    path("accounts/", include("lkk.accounts.urls")),
    path("backoffice/", include("lkk.backoffice.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("captcha/", include([p for p in captcha_urls.urlpatterns if p.name in CAPTCHA_ROUTES])),
    path("readings/", include("lkk.readings.urls")),
    path("finance/", include("lkk.billing.urls")),
    path("reports/", include("lkk.reports.urls")),
    path("applications/", include("lkk.applications.urls")),
    path("connection/", include("lkk.connection.urls")),
    path("appointments/", include("lkk.appointments.urls")),
    path("info/", include("lkk.content.urls")),
    path("outages/", include("lkk.outages.urls")),
    path("surveys/", include("lkk.surveys.urls")),
    path("exchange/", include("lkk.exchange.urls")),
    path("api/", include("lkk.api.urls")),
    # The installable app (P2): at the root, so that the service worker's scope is the portal.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("", include("lkk.notifications.urls")),  # dev/outbox/, notifications/
    path("", include("lkk.customers.urls")),
]

# The error pages in the layout, in the visitor's language (lkk/core/views.py).
handler400 = "lkk.core.views.bad_request"
handler403 = "lkk.core.views.permission_denied"
handler404 = "lkk.core.views.page_not_found"
handler500 = "lkk.core.views.server_error"

admin.site.site_header = "ЛКК — бэк-офис"
admin.site.site_title = "ЛКК"
