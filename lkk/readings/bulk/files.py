"""Reading an uploaded XLSX: size, type by content, headers, rows.

The sheet is read with calamine (Rust, python-calamine): a 3,000-row template in a few tens of
milliseconds, where openpyxl took most of half a second. It gives every cell as a Python value
(numbers as int or float, text, bool, dates; an empty cell as ""), which the helpers below
turn into what the rules read, exactly as before.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum

from lkk.core import formats
from lkk.core.errors import ApplicationError
from lkk.readings.bulk.layout import (
    COLUMN,
    CONFIRM_WORDS,
    HEADERS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    SKIP_MARK,
    VALUE_COLUMNS,
    XLS_MAGIC,
    XLSX_MAGIC,
)

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
        workbook = CalamineWorkbook.from_filelike(upload)
    except Exception:  # calamine raises its zip and XML errors for a broken file
        raise file_error(
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
        raise file_error(
            _(
                "Файл повреждён: прочитать его не удалось. Сохраните его в Excel "
                "как .xlsx и загрузите снова."
            )
        ) from None
    finally:
        workbook.close()


def file_error(message: str) -> ApplicationError:
    return ApplicationError(message, field="file")


def _check_container(upload: IO[bytes], size: int) -> None:
    limit = settings.LKK_UPLOAD_MAX_BYTES
    if size <= 0:
        raise file_error(_("Файл пустой."))
    if size > limit:
        raise file_error(
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
        raise file_error(
            _(
                "Это файл старого формата Excel (.xls). Сохраните его как «Книга Excel (.xlsx)» "
                "или скачайте шаблон заново."
            )
        )
    if head != XLSX_MAGIC:
        raise file_error(_("Это не файл Excel (.xlsx). Загрузите заполненный шаблон."))
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise file_error(
            _(
                "Файл повреждён или это не книга Excel: откройте его в Excel, "
                "сохраните как .xlsx и загрузите снова."
            )
        ) from None
    finally:
        upload.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise file_error(
            _("В файле слишком много данных. Загрузите показания по частям, например по договорам.")
        )


def _megabytes(size: int) -> str:
    """«5», «10,5»: megabytes to a tenth, without a trailing zero."""
    return formats.number((Decimal(size) / (1024 * 1024)).quantize(Decimal("0.1")))


def _sheet_rows(workbook: CalamineWorkbook) -> list[FileRow]:
    worksheets = [
        index
        for index, sheet in enumerate(workbook.sheets_metadata)
        if sheet.typ == SheetTypeEnum.WorkSheet
    ]
    if not worksheets:
        raise file_error(_("В файле нет листов. Скачайте шаблон и заполните его."))
    sheet = workbook.get_sheet_by_index(worksheets[0])
    width = len(HEADERS)
    # From A1, whatever the first filled cell: row numbers are Excel's, columns the template's.
    rows = iter(sheet.to_python(skip_empty_area=False))
    header = _padded(next(rows, ()), width)
    for index, expected in enumerate(HEADERS):
        found = _text(header[index])
        if found != expected:
            raise file_error(
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
            raise file_error(
                ngettext(
                    "В файле больше %(limit)s строки. Загрузите показания по частям, например "
                    "по договорам.",
                    "В файле больше %(limit)s строк. Загрузите показания по частям, например по "
                    "договорам.",
                    MAX_ROWS,
                )
                % {"limit": formats.number(MAX_ROWS)}
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
    """The row's first `width` cells, an empty cell (calamine's "") as None."""
    row = tuple(None if cell == "" else cell for cell in (row or ())[:width])
    return row + (None,) * (width - len(row))


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
