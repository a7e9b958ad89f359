"""Building the XLSX template: one row per meter in service with its previous readings.

xlsxwriter (constant-memory mode) writes the workbook: styles, the header with its comment, the
frozen pane, the column widths and the instructions. The data rows, thousands of them and all
alike, are written as sheet XML here, in the very form xlsxwriter writes them (inline strings,
its style indices) and spliced into its sheet: xlsxwriter's per-cell bookkeeping cost ~0.4 s for
3,000 meters, these rows cost a tenth of that.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone

from lkk.customers.models import ZONES_BY_TARIFF, Contract, Counterparty, Meter
from lkk.readings.bulk.layout import (
    AUTOMATIC_MARK,
    COLUMN_WIDTHS,
    DATE_FORMAT,
    HEADER_FILL,
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
from lkk.readings.selectors import previous_readings

# --- The template ----------------------------------------------------------------------------

#: Text is written as text: nothing a customer's data holds becomes a formula, link or number.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
ID_COLUMN = HEADERS.index("ID")
SHEET_PATH = "xl/worksheets/sheet1.xml"
#: What a row shows of a meter, its point and contract, as values (no model instances).
TEMPLATE_VALUES = (
    "pk", "metering_point_id", "counterparty_id", "tariff_zones", "is_automatic", "model",
    "serial_number", "metering_point__code", "metering_point__address",
    "metering_point__contract__number", "metering_point__contract__status",
)  # fmt: skip
EXCEL_EPOCH = dt.date(1899, 12, 30)


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
    meters = list(
        template_meters(user=user, counterparty=counterparty, contract=contract).values_list(
            *TEMPLATE_VALUES
        )
    )
    previous = previous_readings(meters=[m[:4] for m in meters], today=today)

    buffer = BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    styles = _Styles(workbook)
    sheet = workbook.add_worksheet(SHEET_TITLE)
    sheet.freeze_panes(1, 0)
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(index, index, width)
    for index, name in enumerate(HEADERS):
        sheet.write_string(0, index, name, styles.header)
    sheet.write_comment(0, ID_COLUMN, ID_COMMENT, {"author": "ЛКК", "width": 300, "height": 80})
    guide = workbook.add_worksheet("Инструкция")
    guide.set_column(0, 0, 120)
    for row, line in enumerate(INSTRUCTIONS):
        guide.write_string(row, 0, line, styles.title if row == 0 else styles.wrapped)
    workbook.close()

    rows = "".join(
        _row_xml(number, meter, previous, styles) for number, meter in enumerate(meters, 2)
    )
    return TemplateFile(
        content=_with_rows(buffer.getvalue(), rows, last_row=len(meters) + 1),
        file_name=_template_name(counterparty, contract, today),
        rows=len(meters),
    )


class _Styles:
    """The template's cell formats; `date`, `input`, `unused` as xlsxwriter's style indices
    (`s="…"`) for the rows written here."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.header = workbook.add_format(
            {"bold": True, "bg_color": HEADER_FILL, "text_wrap": True, "valign": "top"}
        )
        self.title = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
        # Registered with the workbook (as a written cell would do it), so that its styles.xml
        # holds them at these indices.
        self.date = workbook.add_format({"num_format": DATE_FORMAT})._get_xf_index()
        self.input = workbook.add_format({"bg_color": INPUT_FILL})._get_xf_index()
        self.unused = workbook.add_format({"bg_color": UNUSED_FILL})._get_xf_index()


def _row_xml(row: int, meter: tuple, previous: dict, styles: _Styles) -> str:
    """One data row as xlsxwriter writes it: A … P, empty cells left out."""
    (pk, _point, _counterparty, tariff, automatic, model, serial, code, address, number,
     status) = meter  # fmt: skip
    zones = ZONES_BY_TARIFF[tariff]
    cells = [
        f'<c r="A{row}"><v>{row - 1}</v></c>',
        _text("B", row, number),
        _text("C", row, code),
        _text("D", row, address),
        _text("E", row, model),
        _text("F", row, serial),
        _text("G", row, _tariff_text(zones)),
    ]
    values = []
    latest = None
    for zone in zones:
        past = previous.get((pk, zone))
        if past is None or past.meter_id != pk:
            values.append(None)
            continue
        values.append(past.value)
        if latest is None or past.read_on > latest:
            latest = past.read_on
    if latest is not None:
        cells.append(f'<c r="H{row}" s="{styles.date}"><v>{(latest - EXCEL_EPOCH).days}</v></c>')
    for column, value in zip("IJK", values, strict=False):
        if value is not None:
            cells.append(f'<c r="{column}{row}"><v>{float(value):.16G}</v></c>')
    mark = ""
    if automatic:
        mark = AUTOMATIC_MARK
    elif status == Contract.Status.TERMINATED:
        mark = TERMINATED_MARK
    if mark:
        cells.append(_text("L", row, mark, styles.unused))
        cells.append(f'<c r="M{row}" s="{styles.unused}"/><c r="N{row}" s="{styles.unused}"/>')
    else:
        for index, column in enumerate("LMN"):
            style = styles.input if index < len(zones) else styles.unused
            cells.append(f'<c r="{column}{row}" s="{style}"/>')
    cells.append(f'<c r="P{row}"><v>{pk}</v></c>')
    return f'<row r="{row}">{"".join(cells)}</row>'


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED_LOOKALIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")


def _text(column: str, row: int, text: str, style: int | None = None) -> str:
    """An inline string cell, escaped as xlsxwriter escapes it: always text, never a formula."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "_x" in text:
        text = _ESCAPED_LOOKALIKE.sub(r"_x005F\1", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    style_attr = f' s="{style}"' if style is not None else ""
    return f'<c r="{column}{row}"{style_attr} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _with_rows(workbook: bytes, rows: str, *, last_row: int) -> bytes:
    """The workbook with the data rows after the header of its first sheet."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == SHEET_PATH:
                sheet = data.decode()
                last = f"A1:{_column_letter(len(HEADERS))}"
                sheet = sheet.replace(
                    f'<dimension ref="{last}1"/>', f'<dimension ref="{last}{last_row}"/>', 1
                )
                sheet = sheet.replace("</sheetData>", rows + "</sheetData>", 1)
                data = sheet.encode()
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()


def _column_letter(number: int) -> str:
    return chr(ord("A") + number - 1)


@functools.cache
def _tariff_text(zones: tuple[str, ...]) -> str:
    """«Двухзонный: Т1 (день), Т2 (ночь)»: the same for every meter of a tariff."""
    labels = ", ".join(f"Т{index} ({ZONE_NAMES[zone]})" for index, zone in enumerate(zones, 1))
    return f"{TARIFFS[len(zones)]}: {labels}"


def zone_label(meter: Meter, zone: str) -> str:
    """«Т2 (ночь)»: the column of the zone and its name, whatever the interface language."""
    return f"Т{meter.zones.index(zone) + 1} ({ZONE_NAMES[zone]})"


def _template_name(counterparty: Counterparty, contract: Contract | None, today: dt.date) -> str:
    who = contract.number if contract is not None else (counterparty.inn or str(counterparty.pk))
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in who)
    return f"pokazaniya_{safe}_{today:%Y-%m-%d}.xlsx"
