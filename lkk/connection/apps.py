from django.apps import AppConfig


class ConnectionConfig(AppConfig):
    name = "lkk.connection"
    verbose_name = "Технологическое присоединение"
