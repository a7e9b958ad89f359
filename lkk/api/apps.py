from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lkk.api"
    verbose_name = "API"
