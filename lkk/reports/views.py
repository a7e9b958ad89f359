"""«Отчёты» (R1–R4): order a report, watch it being built, find it in «Мои отчёты»."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lkk.billing.views import _read_only
from lkk.core.params import param_choice, param_page
from lkk.customers.access import get_object_for_user
from lkk.reports import render as report_render
from lkk.reports import services
from lkk.reports.forms import ReportOrderForm
from lkk.reports.models import Report

FORMATS = {"xlsx": "xlsx", "pdf": "pdf"}


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    """The order form; a valid order queues the report and opens its page."""
    today = timezone.localdate()
    form = ReportOrderForm(request.POST or None, user=request.user, today=today)
    if request.method == "POST" and form.is_valid():
        report = services.report_order_cleaned(user=request.user, data=form.cleaned_data)
        return redirect("reports:detail", report_id=report.pk)
    return render(request, "reports/new.html", {"form": form})


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """«Мои отчёты»: the user's reports with their parameters, newest first."""
    reports = Report.objects.visible_to(request.user).select_related("counterparty")
    page = Paginator(reports.order_by("-created_at", "-pk"), 25).get_page(param_page(request.GET))
    return render(request, "reports/list.html", {"page_obj": page})


def _report(request: HttpRequest, report_id: int) -> Report:
    return get_object_for_user(Report.objects.select_related("counterparty"), request.user,
                               pk=report_id)  # fmt: skip


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    if refused := _read_only(request):
        return refused
    if not services.report_still_visible(request.user, report):
        raise Http404
    data = report_render.from_json(report.result) if report.status == "done" else None
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "data": data,
            "contracts": services.report_contract_numbers(request.user, report),
        },
    )


@login_required
def report_status(request: HttpRequest, report_id: int) -> HttpResponse:
    """What the progress bar polls: the report's state and percentage."""
    report = _report(request, report_id)
    if refused := _read_only(request):
        return refused
    response = JsonResponse(
        {"status": report.status, "progress": report.progress, "label": report.get_status_display()}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    if refused := _read_only(request):
        return refused
    kind = param_choice(request.GET, "format", FORMATS, default="xlsx")
    if (
        kind is None
        or report.status != Report.Status.DONE
        or not services.report_still_visible(request.user, report)
    ):
        raise Http404
    file = getattr(report, kind)
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True,
        filename=f"{report.kind}-{report.pk}-{report.created_at:%Y%m%d}.{kind}",
    )  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def report_retry(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    services.report_retry(report)
    return redirect("reports:detail", report_id=report.pk)
