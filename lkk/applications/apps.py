from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "lkk.applications"
    verbose_name = "Заявки и обращения"
