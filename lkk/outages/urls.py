from django.urls import path

from lkk.outages import operator, views

app_name = "outages"

urlpatterns = [
    path("", views.outage_list, name="list"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path(
        "subscriptions/<int:subscription_id>/delete/",
        views.subscription_delete,
        name="subscription_delete",
    ),
    path("manage/", operator.manage, name="manage"),
    path("manage/new/", operator.outage_new, name="manage_new"),
    path("manage/<int:pk>/", operator.outage_edit, name="manage_edit"),
    path("manage/import/", operator.outage_import, name="manage_import"),
    path("manage/template.csv", operator.import_template, name="import_template"),
]
