"""Celery tasks of the core: the daily retention purge (lkk/core/retention.py)."""

from __future__ import annotations

from celery import shared_task

from lkk.core.retention import retention_purge


@shared_task(name="core.retention_purge", ignore_result=True)
def retention_purge_task() -> dict[str, int]:
    return retention_purge()
