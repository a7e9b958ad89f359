from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lkk.audit"
    verbose_name = "Журнал аудита"
