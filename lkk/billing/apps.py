from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "lkk.billing"
    verbose_name = "Расчёты и документы"
