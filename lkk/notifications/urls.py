from django.urls import path

from lkk.notifications import views

app_name = "notifications"

urlpatterns = [
    path("dev/outbox/", views.dev_outbox, name="dev_outbox"),
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:notification_id>/", views.notification_open, name="open"),
    path("notifications/read-all/", views.notification_read_all, name="read_all"),
    path("notifications/push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("notifications/push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
]
