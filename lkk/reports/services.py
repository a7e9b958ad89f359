"""Ordering, building, retrying and purging reports (R4)."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.customers.access import scopes_disabled
from lkk.customers.models import Contract
from lkk.notifications.services import notify
from lkk.reports import builders, render
from lkk.reports.models import Report

log = logging.getLogger(__name__)


def report_order(*, user, counterparty_id: int, kind: str, params: builders.Params) -> Report:
    """A new report of the user's, queued for the worker (in the embedded default, built in a
    thread of its own, LKK_REPORTS_IN_THREAD). The caller has checked the counterparty and
    contracts against `visible_to(user)`."""
    report = Report.objects.create(
        owner=user,
        counterparty_id=counterparty_id,
        kind=kind,
        params=params.to_json(),
        expires_at=timezone.now() + dt.timedelta(days=settings.REPORTS_KEEP_DAYS),
    )
    _enqueue(report)
    return report


def report_order_cleaned(*, user, data: dict) -> Report:
    """A report from `ReportOrderForm`'s cleaned data (the site's page and the API)."""
    params = builders.Params(data["start"], data["end"], tuple(data["contracts"] or ()))
    return report_order(
        user=user, counterparty_id=data["counterparty"], kind=data["kind"], params=params
    )


def report_still_visible(user, report: Report) -> bool:
    """A report shows what its owner could see when it was built: it is opened (its page, its
    files) only while the user still sees every contract it covers."""
    ids = report.contract_ids or []
    if not ids:
        return True
    return Contract.objects.visible_to(user).filter(pk__in=ids).count() == len(ids)


def report_contract_numbers(user, report: Report) -> list[str]:
    """The numbers of the contracts the order named (none: every contract), as the user sees
    them."""
    ids = report.params.get("contracts") or []
    if not ids:
        return []
    return list(
        Contract.objects.visible_to(user)
        .filter(pk__in=ids)
        .order_by("number")
        .values_list("number", flat=True)
    )


def _enqueue(report: Report) -> None:
    """After the commit: the Celery task with a broker; without one (tasks run eagerly) a
    daemon thread, so that the ordering request returns at once and the progress bar moves."""
    if settings.LKK_REPORTS_IN_THREAD:
        transaction.on_commit(lambda: _start_thread(report.pk))
        return
    from lkk.reports.tasks import report_build

    transaction.on_commit(lambda: report_build.delay(report.pk))


def _start_thread(report_id: int) -> threading.Thread:
    thread = threading.Thread(
        target=_build_in_thread, args=(report_id,), name=f"report-{report_id}", daemon=True
    )
    thread.start()
    return thread


def _build_in_thread(report_id: int) -> None:
    """The build in its thread: whatever breaks marks the report failed (never «running» for
    ever), and the thread's database connection is closed when it ends."""
    try:
        report_build(report_id)
    except Exception as exc:
        log.exception("report %s failed in its thread", report_id)
        try:
            with scopes_disabled():
                Report.objects.filter(pk=report_id).exclude(status=Report.Status.DONE).update(
                    status=Report.Status.FAILED,
                    error=str(exc)[:500] or exc.__class__.__name__,
                )
        except Exception:
            log.exception("report %s: could not mark it failed", report_id)
    finally:
        connections.close_all()


def report_retry(report: Report) -> bool:
    """A failed report queued again with the same parameters; any other is left alone
    (returns False)."""
    if report.status != Report.Status.FAILED:
        return False
    with scopes_disabled():  # the caller found the report through visible_to
        updated = Report.objects.filter(pk=report.pk, status=Report.Status.FAILED).update(
            status=Report.Status.QUEUED, progress=0, error="",
            expires_at=timezone.now() + dt.timedelta(days=settings.REPORTS_KEEP_DAYS),
        )  # fmt: skip
    if not updated:
        return False
    _enqueue(report)
    return True


@scopes_disabled()
def report_build(report_id: int) -> None:
    """Builds the report as its owner sees the data now (every read through visible_to of the
    owner), stores XLSX and PDF, and tells the owner."""
    report = Report.objects.select_related("owner").filter(pk=report_id).first()
    if report is None or report.status == Report.Status.DONE:
        return
    rows = Report.objects.filter(pk=report.pk)
    rows.update(status=Report.Status.RUNNING, progress=1)

    def progress(percent: int) -> None:
        # Reading the data is the first 60 %; the XLSX and the PDF the rest. The bar is only a
        # hint: a write that finds the database busy is skipped, never a failed report.
        try:
            rows.update(progress=max(1, min(60, percent * 60 // 100)))
        except OperationalError:
            log.warning("report %s: progress not written (database busy)", report_id)

    try:
        params = builders.Params.from_json(report.params)
        build = builders.BUILDERS[report.kind]
        built = build(report.owner, report.counterparty_id, params, progress)
        contracts = builders.contracts_for(report.owner, report.counterparty_id, params)
        data = render.to_json(built)
        name = f"{report.kind}-{report.pk}"
        report.xlsx.save(f"{name}.xlsx", ContentFile(render.xlsx(data)), save=False)
        rows.update(progress=70)
        report.pdf.save(f"{name}.pdf", ContentFile(render.pdf(data)), save=False)
        report.result = data
        report.contract_ids = [pk for pk, _number in contracts]
        report.status = Report.Status.DONE
        report.progress = 100
        report.finished_at = timezone.now()
        report.error = ""
        report.save()
    except Exception as exc:
        log.exception("report %s failed", report.pk)
        rows.update(status=Report.Status.FAILED, error=str(exc)[:500] or exc.__class__.__name__)
        notify(
            report.owner, topic="reports",
            title=_("Отчёт № %(number)s не сформирован") % {"number": report.pk},
            body=_("Повторите заказ кнопкой «Повторить»."),
            url=reverse("reports:detail", args=[report.pk]), dedup_key=f"report-{report.pk}-fail",
        )  # fmt: skip
        return
    notify(
        report.owner, topic="reports",
        title=_("%(kind)s № %(number)s готов")
        % {"kind": report.get_kind_display(), "number": report.pk},
        body=_("Период %(period)s. Хранится до %(until)s")
        % {"period": params.label, "until": f"{timezone.localtime(report.expires_at):%d.%m.%Y}"},
        url=reverse("reports:detail", args=[report.pk]), dedup_key=f"report-{report.pk}-done",
    )  # fmt: skip


@scopes_disabled()
def reports_purge(now: dt.datetime | None = None) -> int:
    """Removes the reports kept past REPORTS_KEEP_DAYS with their files."""
    now = now or timezone.now()
    count = 0
    for report in Report.objects.filter(expires_at__lt=now):
        for file in (report.xlsx, report.pdf):
            if file:
                file.delete(save=False)
        report.delete()
        count += 1
    return count
