from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("lkk.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("readings/", include("lkk.readings.urls")),
    path("", include("lkk.customers.urls")),
]

admin.site.site_header = "ЛКК — бэк-офис"
admin.site.site_title = "ЛКК"
