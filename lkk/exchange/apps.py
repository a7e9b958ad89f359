from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "lkk.exchange"
    verbose_name = "Обмен с биллингом"
