from django.urls import path

from lkk.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("registrations/", views.queue, name="moderation_queue"),
    path("registrations/<int:pk>/", views.detail, name="moderation_detail"),
    path("registrations/<int:pk>/decide/", views.decide, name="moderation_decide"),
    path(
        "registrations/<int:pk>/documents/<int:doc_pk>/",
        views.document,
        name="moderation_document",
    ),
    path("accounts/issue/", views.office_issue, name="office_issue"),
]
