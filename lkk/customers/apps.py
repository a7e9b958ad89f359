from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "lkk.customers"
    verbose_name = "Клиенты (зеркало биллинга)"

    def ready(self) -> None:
        from celery.signals import task_postrun, task_prerun

        from lkk.customers import access

        task_prerun.connect(access.task_started, weak=False, dispatch_uid="lkk_guard_task")
        task_postrun.connect(access.task_finished, weak=False, dispatch_uid="lkk_guard_task")
