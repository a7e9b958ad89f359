from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "lkk.content"
    verbose_name = "Новости, информация и помощь"
