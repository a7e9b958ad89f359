"""Building the XLSX template: one row per meter in service with its previous readings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from lkk.customers.models import Contract, Counterparty, Meter
from lkk.readings import rules
from lkk.readings.bulk.layout import (
    AUTOMATIC_MARK,
    COLUMN_WIDTHS,
    DATE_FORMAT,
    HEADER_FILL,
    HEADER_FONT,
    HEADERS,
    ID_COMMENT,
    INPUT_FILL,
    INSTRUCTIONS,
    SHEET_TITLE,
    TARIFFS,
    TERMINATED_MARK,
    UNUSED_FILL,
    ZONE_NAMES,
)
from lkk.readings.selectors import zone_histories

# --- The template ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateFile:
    content: bytes
    file_name: str
    rows: int


def template_meters(
    *, user, counterparty: Counterparty, contract: Contract | None = None
) -> QuerySet[Meter]:
    """The meters in service the user may see for the counterparty, in the template's order."""
    meters = Meter.objects.visible_to(user).filter(
        counterparty=counterparty, removed_on__isnull=True
    )
    if contract is not None:
        meters = meters.filter(metering_point__contract=contract)
    return meters.select_related("metering_point__contract").order_by(
        "metering_point__contract__number", "metering_point__code", "pk"
    )


def template_build(
    *,
    user,
    counterparty: Counterparty,
    contract: Contract | None = None,
    today: dt.date | None = None,
) -> TemplateFile:
    """The XLSX to fill in: one row per meter in service, in two queries whatever the count.

    Meters that take no manual reading (АСКУЭ, a terminated contract) are listed too, marked
    «… — не заполнять» in the Т1 cell, which the upload reads as empty.
    """
    today = today or timezone.localdate()
    meters = list(template_meters(user=user, counterparty=counterparty, contract=contract))
    histories = zone_histories(meters=meters, today=today)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_header_cell(sheet, name) for name in HEADERS])
    for number, meter in enumerate(meters, start=1):
        sheet.append(_template_row(sheet, number, meter, histories))

    guide = workbook.create_sheet("Инструкция")
    guide.column_dimensions["A"].width = 120
    for line in INSTRUCTIONS:
        cell = WriteOnlyCell(guide, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if line is INSTRUCTIONS[0]:
            cell.font = HEADER_FONT
        guide.append([cell])

    buffer = BytesIO()
    workbook.save(buffer)
    return TemplateFile(
        content=buffer.getvalue(),
        file_name=_template_name(counterparty, contract, today),
        rows=len(meters),
    )


def _header_cell(sheet, name: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=name)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if name == "ID":
        cell.comment = Comment(ID_COMMENT, "ЛКК", width=300, height=80)
    return cell


def _template_row(sheet, number: int, meter: Meter, histories) -> list[object]:
    contract = meter.metering_point.contract
    zones = meter.zones
    previous: list[rules.PastReading | None] = []
    for zone in zones:
        past = histories[(meter.pk, zone)].previous
        previous.append(past if past is not None and past.meter_id == meter.pk else None)
    dates = [p.read_on for p in previous if p is not None]
    date_cell = WriteOnlyCell(sheet, value=max(dates) if dates else None)
    date_cell.number_format = DATE_FORMAT

    row: list[object] = [
        number,
        _text_cell(sheet, contract.number),
        _text_cell(sheet, meter.metering_point.code),
        _text_cell(sheet, meter.metering_point.address),
        _text_cell(sheet, meter.model),
        _text_cell(sheet, meter.serial_number),
        "{}: {}".format(TARIFFS[len(zones)], ", ".join(zone_label(meter, zone) for zone in zones)),
        date_cell,
    ]
    for index in range(3):
        past = previous[index] if index < len(previous) else None
        row.append(past.value if past is not None else None)
    mark = ""
    if meter.is_automatic:
        mark = AUTOMATIC_MARK
    elif contract.status == Contract.Status.TERMINATED:
        mark = TERMINATED_MARK
    for index in range(3):
        cell = WriteOnlyCell(sheet, value=mark if mark and index == 0 else None)
        cell.fill = UNUSED_FILL if mark or index >= len(zones) else INPUT_FILL
        row.append(cell)
    row += [None, meter.pk]
    return row


def zone_label(meter: Meter, zone: str) -> str:
    """«Т2 (ночь)»: the column of the zone and its name, whatever the interface language."""
    return f"Т{meter.zones.index(zone) + 1} ({ZONE_NAMES[zone]})"


def _text_cell(sheet, text: str) -> object:
    """Billing's text as text: a value starting with «=» must not become a formula."""
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def _template_name(counterparty: Counterparty, contract: Contract | None, today: dt.date) -> str:
    who = contract.number if contract is not None else (counterparty.inn or str(counterparty.pk))
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in who)
    return f"pokazaniya_{safe}_{today:%Y-%m-%d}.xlsx"
