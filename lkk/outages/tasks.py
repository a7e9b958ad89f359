"""Celery tasks of S3 (eager in the embedded default)."""

from __future__ import annotations

from celery import shared_task

from lkk.outages import services


@shared_task(name="outages.notify", ignore_result=True)
def outage_notify(outage_id: int) -> int:
    return services.outage_notify(outage_id)
