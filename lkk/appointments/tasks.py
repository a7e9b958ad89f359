"""Periodic tasks of S1 (CELERY_BEAT_SCHEDULE): both idempotent, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from lkk.appointments import services


@shared_task(name="appointments.slots_generate", ignore_result=True)
def slots_generate() -> int:
    return services.slots_generate()


@shared_task(name="appointments.remind", ignore_result=True)
def remind() -> int:
    return services.reminders_send()
