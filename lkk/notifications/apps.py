from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lkk.notifications"
    verbose_name = "Уведомления"
