from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (`manage.py seed_demo`): above every domain app, so none imports it."""

    name = "lkk.demo"
    verbose_name = "Демо-данные"
