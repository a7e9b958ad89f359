from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "lkk.customers"
    verbose_name = "Клиенты (зеркало биллинга)"
