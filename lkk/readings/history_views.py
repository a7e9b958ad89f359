"""Per-meter reading history (M4): the page with the monthly chart, and its CSV/XLSX download."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lkk.core.params import param_choice, param_page
from lkk.customers.access import get_object_for_user
from lkk.customers.models import Meter
from lkk.readings import history, history_rows

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
#: What a spreadsheet takes for the start of a formula in a text cell (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


#: What the page and the download show of the meter and its point (and no more: a meter's row
#: and its point's hold search text and billing's fields that cost their reading).
METER_FIELDS = (
    "serial_number",
    "model",
    "decimal_places",
    "tariff_zones",
    "metering_point__code",
    "metering_point__address",
)


def _meter(request: HttpRequest, meter_id: int) -> Meter:
    return get_object_for_user(
        Meter.objects.select_related("metering_point").only(*METER_FIELDS),
        request.user,
        pk=meter_id,
    )


def _read_only(request: HttpRequest) -> HttpResponse | None:
    if request.method in ("GET", "HEAD"):
        return None
    return HttpResponseNotAllowed(["GET", "HEAD"])


def _chart_data(meter: Meter, monthly: history.MonthlyConsumption) -> dict[str, object]:
    """What charts.js draws: a bar chart, one dataset per zone, months as labels."""
    return {
        "type": "bar",
        "unit": _("кВт·ч"),
        "labels": [history_rows.month_label(month, "b Y") for month in monthly.months],
        "datasets": [
            {
                "label": meter.get_zone_label(zone),
                "data": [None if v is None else float(v) for v in monthly.totals[zone]],
            }
            for zone in monthly.zones
        ],
    }


@login_required
def meter_history(request: HttpRequest, meter_id: int) -> HttpResponse:
    meter = _meter(request, meter_id)
    if refused := _read_only(request):
        return refused
    page = history.readings_page(
        user=request.user,
        meter=meter,
        number=param_page(request.GET),
        per_page=settings.LKK_PAGE_SIZE,
    )
    monthly = history.monthly_consumption(
        user=request.user, meter=meter, today=timezone.localdate()
    )
    return render(
        request,
        "readings/history.html",
        {
            "meter": meter,
            "page_obj": page,
            "rows_html": SafeString(history_rows.readings(page.object_list, meter)),
            "monthly": monthly,
            "monthly_zones": [meter.get_zone_label(zone) for zone in monthly.zones],
            "monthly_html": SafeString(history_rows.monthly(monthly, meter)),
            "chart": _chart_data(meter, monthly),
        },
    )


# -- Download ----------------------------------------------------------------------------------


def _headers() -> list[str]:
    return [
        _("Дата"),
        _("Зона"),
        _("Показание"),
        _("Расход, кВт·ч"),
        _("Источник"),
        _("Статус"),
        _("Причина отклонения"),
    ]


def _rows(user, meter: Meter):
    """(date, zone, value, consumption, source, status, reason) for every reading, newest first."""
    for r in history.readings_for_meter(user=user, meter=meter).iterator(chunk_size=2000):
        yield (
            r.read_on,
            meter.get_zone_label(r.zone),
            r.value,
            r.consumption,
            str(r.get_source_display()),
            str(r.get_status_display()),
            r.rejection_reason,
        )


def _plain(value: Decimal) -> str:
    """12345.6000 → «12345,6»: a decimal comma and no grouping, as Russian Excel reads numbers."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _text(value: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, Decimal):
        return _plain(value)
    return _text(str(value))


def _csv(user, meter: Meter) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the BOM: Excel then reads the file as UTF-8
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_headers())
    for row in _rows(user, meter):
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _number_format(decimal_places: int) -> str:
    return "#,##0" + ("." + "0" * decimal_places if decimal_places else "")


def _xlsx(user, meter: Meter) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SAFE_FILENAME.sub("_", meter.serial_number)[:31] or "1")
    widths = (12, 16, 16, 16, 14, 18, 50)
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in _headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    number = _number_format(meter.decimal_places)
    for row in _rows(user, meter):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "DD.MM.YYYY"
            elif isinstance(value, Decimal):
                cell.number_format = number
            elif isinstance(value, str) and cell.data_type == "f":
                cell.data_type = "s"  # text that starts with «=» stays text
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", _csv),
    "xlsx": (XLSX_TYPE, _xlsx),
}


@login_required
def meter_history_export(request: HttpRequest, meter_id: int) -> HttpResponse:
    """All the meter's readings as a file: `?format=csv` (the default) or `?format=xlsx`."""
    meter = _meter(request, meter_id)
    if refused := _read_only(request):
        return refused
    kind = param_choice(request.GET, "format", EXPORTS, default="csv")
    if kind is None:
        raise Http404
    content_type, build = EXPORTS[kind]
    serial = SAFE_FILENAME.sub("_", meter.serial_number).strip("._") or str(meter.pk)
    response = HttpResponse(build(request.user, meter), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"readings-{serial}.{kind}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
