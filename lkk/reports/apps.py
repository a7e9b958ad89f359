from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lkk.reports"
    verbose_name = "Отчёты"
