from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "lkk.outages"
    verbose_name = "Плановые отключения"
