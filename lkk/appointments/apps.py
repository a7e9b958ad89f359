from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "lkk.appointments"
    verbose_name = "Запись на приём"
