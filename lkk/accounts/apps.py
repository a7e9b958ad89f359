from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lkk.accounts"
    verbose_name = "Учётные записи"
