from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lkk.accounts"
    verbose_name = "Учётные записи"

    def ready(self) -> None:
        from lkk.accounts.services import profile  # noqa: F401  (connects the session receivers)
