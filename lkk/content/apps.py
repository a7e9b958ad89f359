from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "lkk.content"
    verbose_name = "Новости, информация и помощь"

    def ready(self) -> None:
        from lkk.content import signals  # noqa: F401 — connects the receivers
