from django.apps import AppConfig


class ReadingsConfig(AppConfig):
    name = "lkk.readings"
    verbose_name = "Показания"
