"""Celery tasks of notifications: draining the outbox (see outbox.py for the guarantees)."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from lkk.notifications.outbox import outbox_drain_due


@shared_task(name="notifications.outbox_drain", ignore_result=True)
def outbox_drain() -> dict[str, int]:
    """Delivers every due message; queued after each commit that wrote one, and every minute
    by beat (CELERY_BEAT_SCHEDULE) for retries. Running it twice at once is safe."""
    return asdict(outbox_drain_due())
