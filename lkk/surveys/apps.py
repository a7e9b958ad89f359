from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "lkk.surveys"
    verbose_name = "Опросы"
