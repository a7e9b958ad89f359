"""Celery tasks of reports: the build (R4) and the daily purge of expired reports."""

from __future__ import annotations

from celery import shared_task

from lkk.reports import services


@shared_task(name="reports.build", ignore_result=True)
def report_build(report_id: int) -> None:
    services.report_build(report_id)


@shared_task(name="reports.purge", ignore_result=True)
def reports_purge() -> int:
    return services.reports_purge()
