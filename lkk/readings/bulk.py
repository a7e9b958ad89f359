"""Bulk submission of meter readings from an XLSX template (M5).

A business customer with thousands of meters downloads a template with one row per meter in
service (its previous readings filled in), types the new values and uploads the file. Every row
with a value is one meter's submission, judged by the same rules as the form
(`services.readings_judge`, all rows in one call); the rows that pass are written under one
receipt, the others are kept with their reason on the `BulkUpload` record.

The file is a data format, not a page: its headers and marks are fixed Russian texts whatever
the interface language, so that a template downloaded in one language uploads in the other.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from lkk.core.errors import ApplicationError
from lkk.core.formats import quantity
from lkk.customers.models import Contract, Counterparty, Meter
from lkk.readings import rules
from lkk.readings.models import BulkUpload, Submission
from lkk.readings.selectors import zone_histories
from lkk.readings.services import MeterInput, MeterVerdict, readings_judge, readings_record

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary Excel format (OLE2)
#: Rows with anything in them, below the header; a bigger customer uploads per contract.
MAX_ROWS = 20_000
#: What the file may unpack to: a filled 20,000-row template is about 15 MB of XML.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

SHEET_TITLE = "Показания"
HEADERS = (
    "№",
    "Договор",
    "Код ТУ",
    "Адрес ТУ",
    "Тип прибора",
    "Заводской номер",
    "Тарифность",
    "Дата предыдущих показаний",
    "Пред. Т1",
    "Пред. Т2",
    "Пред. Т3",
    "Т1",
    "Т2",
    "Т3",
    "Подтверждаю (да)",
    "ID",
)
COLUMN = {name: index for index, name in enumerate(HEADERS)}
PREVIOUS_COLUMNS = (COLUMN["Пред. Т1"], COLUMN["Пред. Т2"], COLUMN["Пред. Т3"])
VALUE_COLUMNS = (COLUMN["Т1"], COLUMN["Т2"], COLUMN["Т3"])
COLUMN_WIDTHS = (7, 14, 16, 40, 24, 16, 34, 14, 12, 12, 12, 14, 14, 14, 12, 10)
#: A cell that says this is no value: the template marks the meters that take no manual input.
SKIP_MARK = "не заполнять"
AUTOMATIC_MARK = "АСКУЭ — не заполнять"
TERMINATED_MARK = "Договор расторгнут — не заполнять"
CONFIRM_WORDS = frozenset({"да", "yes", "+"})
ID_COMMENT = (
    "Не изменяйте и не удаляйте этот столбец: по номеру ID показания строки сопоставляются "
    "с прибором учёта."
)
INSTRUCTIONS = (
    "Как заполнить шаблон",
    "1. Впишите текущие показания в столбцы «Т1», «Т2», «Т3». Т1 — сутки (однотарифный прибор), "
    "день (двухзонный) или пик (трёхзонный); Т2 — ночь; Т3 — полупик. Какие зоны у прибора, "
    "написано в столбце «Тарифность».",
    "2. Заполняйте все зоны прибора учёта. Строки без показаний не загружаются: можно передать "
    "показания только части приборов.",
    "3. Показание — число, как на табло прибора, не меньше предыдущего и не больше знаков после "
    "запятой, чем показывает прибор.",
    "4. Если показание меньше предыдущего (счётчик перешёл через ноль) или расход намного больше "
    "обычного, проверьте его и напишите «да» в столбце «Подтверждаю (да)».",
    "5. Не изменяйте строку заголовков и столбец «ID»: по ним показания сопоставляются "
    "с приборами учёта.",
    "6. Строки с пометкой «не заполнять» — приборы учёта, показания которых поступают "
    "автоматически (АСКУЭ) или не принимаются.",
    "7. Сохраните файл в формате .xlsx и загрузите его на странице «Загрузка показаний из файла». "
    "Строки с ошибками будут отклонены с указанием причины, остальные — приняты.",
)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
UNUSED_FILL = PatternFill("solid", fgColor="D9D9D9")
DATE_FORMAT = "DD.MM.YYYY"
ZONE_NAMES = {
    "total": "сутки",
    "day": "день",
    "night": "ночь",
    "peak": "пик",
    "half_peak": "полупик",
}
TARIFFS = {1: "Однотарифный", 2: "Двухзонный", 3: "Трёхзонный"}


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
        "{}: {}".format(TARIFFS[len(zones)], ", ".join(_zone_label(meter, zone) for zone in zones)),
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


def _zone_label(meter: Meter, zone: str) -> str:
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


# --- Reading an uploaded file ----------------------------------------------------------------


@dataclass(frozen=True)
class FileRow:
    """One row of the uploaded sheet that has at least one value in Т1..Т3."""

    row: int  # as Excel numbers it
    meter_id: int | None
    serial: str  # as typed in the file, for the report of a row whose meter is unknown
    point: str
    values: tuple[str, str, str]
    confirmed: bool


def file_rows(*, upload: IO[bytes], size: int) -> list[FileRow]:
    """The rows with readings of an uploaded XLSX; ApplicationError(field="file") if it is not
    the template: wrong type, empty, corrupt, too big, other headers or too many rows."""
    _check_container(upload, size)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises whatever its parsers meet in a broken file
        raise _file_error(
            _(
                "Файл повреждён или это не книга Excel: откройте его в Excel, "
                "сохраните как .xlsx и загрузите снова."
            )
        ) from None
    try:
        return _sheet_rows(workbook)
    except ApplicationError:
        raise
    except Exception:
        raise _file_error(
            _(
                "Файл повреждён: прочитать его не удалось. Сохраните его в Excel "
                "как .xlsx и загрузите снова."
            )
        ) from None
    finally:
        workbook.close()


def _file_error(message: str) -> ApplicationError:
    return ApplicationError(message, field="file")


def _check_container(upload: IO[bytes], size: int) -> None:
    limit = settings.LKK_UPLOAD_MAX_BYTES
    if size <= 0:
        raise _file_error(_("Файл пустой."))
    if size > limit:
        raise _file_error(
            _(
                "Файл слишком большой: %(size)s МБ, можно не больше %(limit)s МБ. Загрузите "
                "показания по частям, например по договорам."
            )
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )
    upload.seek(0)
    head = upload.read(len(XLSX_MAGIC))
    upload.seek(0)
    if head.startswith(XLS_MAGIC):
        raise _file_error(
            _(
                "Это файл старого формата Excel (.xls). Сохраните его как «Книга Excel (.xlsx)» "
                "или скачайте шаблон заново."
            )
        )
    if head != XLSX_MAGIC:
        raise _file_error(_("Это не файл Excel (.xlsx). Загрузите заполненный шаблон."))
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _file_error(
            _(
                "Файл повреждён или это не книга Excel: откройте его в Excel, "
                "сохраните как .xlsx и загрузите снова."
            )
        ) from None
    finally:
        upload.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _file_error(
            _("В файле слишком много данных. Загрузите показания по частям, например по договорам.")
        )


def _megabytes(size: int) -> str:
    value = Decimal(size) / (1024 * 1024)
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _sheet_rows(workbook) -> list[FileRow]:
    if not workbook.worksheets:
        raise _file_error(_("В файле нет листов. Скачайте шаблон и заполните его."))
    sheet = workbook.worksheets[0]
    width = len(HEADERS)
    rows = sheet.iter_rows(values_only=True)
    header = _padded(next(rows, ()), width)
    for index, expected in enumerate(HEADERS):
        found = _text(header[index])
        if found != expected:
            raise _file_error(
                _(
                    "Файл не похож на шаблон: в столбце %(column)s первой строки должно быть "
                    "«%(expected)s», а не «%(found)s». Скачайте шаблон заново и перенесите в него "
                    "показания."
                )
                % {"column": get_column_letter(index + 1), "expected": expected, "found": found}
            )
    result = []
    seen = 0
    for number, raw in enumerate(rows, start=2):
        cells = _padded(raw, width)
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        seen += 1
        if seen > MAX_ROWS:
            raise _file_error(
                _(
                    "В файле больше %(limit)s строк. Загрузите показания по частям, например по "
                    "договорам."
                )
                % {"limit": f"{MAX_ROWS:,}".replace(",", " ")}
            )
        values = tuple(number_text(cells[c]) for c in VALUE_COLUMNS)
        if not any(values):
            continue
        result.append(
            FileRow(
                row=number,
                meter_id=_meter_id(cells[COLUMN["ID"]]),
                serial=_text(cells[COLUMN["Заводской номер"]])[:50],
                point=_text(cells[COLUMN["Код ТУ"]])[:50],
                values=values,  # type: ignore[arg-type]
                confirmed=_confirmed(cells[COLUMN["Подтверждаю (да)"]]),
            )
        )
    return result


def _padded(row, width: int) -> tuple:
    row = tuple(row or ())
    return row[:width] + (None,) * (width - len(row))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def number_text(value: object) -> str:
    """A Т cell as the text the rules parse: Excel gives int, float or str (or worse).

    A float is taken at Excel's own precision of 15 significant digits, so 12345.6 stored as
    12345.600000000001 reads «12345.6»; a «не заполнять» mark reads as empty.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ИСТИНА" if value else "ЛОЖЬ"  # not a number: the rules say so
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = str(value).strip()
    if SKIP_MARK in text.lower():
        return ""
    return text


def _meter_id(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _confirmed(value: object) -> bool:
    if value is True:
        return True
    return isinstance(value, str) and value.strip().lower() in CONFIRM_WORDS


# --- Processing an upload --------------------------------------------------------------------


def upload_process(
    *,
    user,
    counterparty: Counterparty,
    token: uuid.UUID,
    upload: IO[bytes],
    file_name: str,
    size: int,
    today: dt.date | None = None,
) -> tuple[BulkUpload, bool]:
    """Reads, judges and records an uploaded file; returns (the upload's record, created).

    A token seen before returns that record and reads nothing (created is False). The rows that
    pass every rule are written under one receipt, in one transaction together with the record;
    a row is all its zones or nothing. The queries do not depend on the number of rows, except
    the INSERTs of readings, which go in batches.
    """
    today = today or timezone.localdate()
    existing = _upload_for_token(user=user, token=token)
    if existing is not None:
        return existing, False
    rows = file_rows(upload=upload, size=size)
    if not rows:
        raise _file_error(
            _("В файле нет ни одной строки с показаниями: заполните столбцы «Т1»–«Т3».")
        )
    accepted, rejected = _judge_rows(user=user, counterparty=counterparty, rows=rows, today=today)
    try:
        with transaction.atomic():
            submission = None
            if accepted:
                submission = readings_record(
                    user=user,
                    token=token,
                    verdicts=accepted,
                    channel=Submission.Channel.UPLOAD,
                    today=today,
                )
            record = BulkUpload.objects.create(
                token=token,
                counterparty=counterparty,
                uploaded_by=user,
                file_name=(file_name or "")[-255:],
                rows_total=len(rows),
                rows_accepted=len(accepted),
                rows_rejected=len(rejected),
                submission=submission,
                rejected_rows=rejected,
            )
    except IntegrityError:
        # The same form was posted again and the first request committed meanwhile, or some of
        # these meters got today's readings by another way since they were judged.
        existing = _upload_for_token(user=user, token=token)
        if existing is not None:
            return existing, False
        raise _file_error(
            _(
                "Пока файл загружался, показания некоторых приборов учёта на сегодня были переданы "
                "другим способом. Загрузите файл ещё раз: такие строки будут отклонены с причиной."
            )
        ) from None
    return record, True


def _upload_for_token(*, user, token: uuid.UUID) -> BulkUpload | None:
    record = BulkUpload.objects.filter(token=token).first()
    if record is None:
        return None
    if record.uploaded_by_id != user.pk:
        raise ApplicationError(_("Форма устарела. Откройте её заново."))
    return record


def _judge_rows(
    *, user, counterparty: Counterparty, rows: list[FileRow], today: dt.date
) -> tuple[list[MeterVerdict], list[dict[str, object]]]:
    """(accepted verdicts, rejected rows) — one query for the meters, one for their history."""
    wanted = {r.meter_id for r in rows if r.meter_id is not None}
    meters = {
        m.pk: m
        for m in Meter.objects.visible_to(user)
        .filter(counterparty=counterparty, pk__in=wanted)
        .select_related("metering_point__contract")
    }
    rows_of_meter: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        if r.meter_id in meters:
            rows_of_meter[r.meter_id].append(r.row)

    rejected: list[dict[str, object]] = []

    def reject(r: FileRow, meter: Meter | None, reason: str) -> None:
        rejected.append(
            {
                "row": r.row,
                "serial": meter.serial_number if meter else r.serial,
                "point": meter.metering_point.code if meter else r.point,
                "reason": reason,
            }
        )

    judged: list[tuple[FileRow, Meter]] = []
    inputs: list[MeterInput] = []
    for r in rows:
        meter = meters.get(r.meter_id) if r.meter_id is not None else None
        if meter is None:
            reason = _("Прибор учёта не найден среди ваших.")
            if r.meter_id is None:
                reason += " " + _("Столбец «ID» пуст или изменён: не меняйте его в шаблоне.")
            reject(r, None, reason)
            continue
        if len(rows_of_meter[meter.pk]) > 1:
            reject(
                r,
                meter,
                _(
                    "Прибор учёта указан в файле несколько раз (строки %(rows)s): оставьте одну "
                    "строку."
                )
                % {"rows": ", ".join(map(str, rows_of_meter[meter.pk]))},
            )
            continue
        zones = meter.zones
        if any(r.values[len(zones) :]):
            reject(
                r,
                meter,
                _(
                    "У прибора учёта зон: %(count)s (%(zones)s). Столбцы после «Т%(count)s» "
                    "оставьте пустыми."
                )
                % {"count": len(zones), "zones": ", ".join(_zone_label(meter, z) for z in zones)},
            )
            continue
        judged.append((r, meter))
        inputs.append(
            MeterInput(
                meter=meter,
                values={zone: r.values[i] for i, zone in enumerate(zones)},
                confirmed=r.confirmed,
            )
        )

    accepted: list[MeterVerdict] = []
    verdicts = readings_judge(inputs=inputs, today=today) if inputs else []
    for (r, meter), verdict in zip(judged, verdicts, strict=True):
        inconsistent = _inconsistent_zone(verdict)
        if inconsistent:
            reject(r, meter, inconsistent)
        elif verdict.ok and verdict.zones:
            accepted.append(verdict)
        else:
            reject(r, meter, verdict_reason(verdict))
    rejected.sort(key=lambda item: item["row"])
    return accepted, rejected


def _inconsistent_zone(verdict: MeterVerdict) -> str:
    """A reading the rules let through but the database would refuse: a negative consumption,
    when the previous value on file is beyond the meter's digits. One such row must not fail
    the whole file."""
    for zone in verdict.zones:
        if zone.consumption is not None and zone.consumption < 0 and zone.previous is not None:
            return _(
                "%(zone)s: показание не сходится с предыдущим (%(value)s от %(date)s). "
                "Обратитесь в контактный центр."
            ) % {
                "zone": _zone_label(verdict.meter, zone.zone),
                "value": quantity(zone.previous.value),
                "date": date_format(zone.previous.read_on, "d.m.Y"),
            }
    return ""


def verdict_reason(verdict: MeterVerdict) -> str:
    """Why a meter's row was not accepted: its error, every zone's error or question."""
    meter = verdict.meter
    parts = [verdict.error] if verdict.error else []
    for zone in verdict.zones:
        message = zone.error or zone.confirm
        if message:
            parts.append(f"{_zone_label(meter, zone.zone)}: {message}")
    if verdict.needs_confirmation:
        parts.append(
            _(
                "Если показания верны, напишите «да» в столбце «Подтверждаю (да)» и загрузите "
                "файл ещё раз."
            )
        )
    return " ".join(parts) or _("Показания не приняты.")
