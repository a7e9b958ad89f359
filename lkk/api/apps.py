from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lkk.api"
    verbose_name = "API"

    def ready(self) -> None:
        from lkk.api import schema  # noqa: F401 — registers the Bearer scheme with the schema
