from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lkk.audit"
    verbose_name = "Журнал аудита"

    def ready(self) -> None:
        from lkk.audit import receivers  # noqa: F401  (connects the signal receivers)
