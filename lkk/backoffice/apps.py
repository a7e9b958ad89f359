from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "lkk.backoffice"
    verbose_name = "Бэк-офис"
