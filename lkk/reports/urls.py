from django.urls import path

from lkk.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_new, name="new"),
    path("mine/", views.report_list, name="list"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/status/", views.report_status, name="status"),
    path("<int:report_id>/download/", views.report_download, name="download"),
    path("<int:report_id>/retry/", views.report_retry, name="retry"),
]
