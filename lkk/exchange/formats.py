"""Reading and writing the exchange files: CSV (UTF-8, `;`) and JSON (one array of objects).

A file-level problem (encoding, header, size, not an array…) raises `FileRejected` with a
Russian message; a problem of one row is the importer's, with the row's line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import PurePosixPath

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

FORMATS = ("csv", "json")
DELIMITER = ";"
#: A text cell starting with one of these is a formula to a spreadsheet: it is written with a
#: leading apostrophe (which the importer removes again), so it never runs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FileRejected(Exception):
    """The whole file is refused: nothing of it is imported."""


def check_size(size: int, limit: int, name: str) -> None:
    if size > limit:
        raise FileRejected(
            _("Файл «%(name)s» больше %(size)s: разделите его на части.")
            % {"name": name, "size": filesizeformat(limit)}
        )


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM is allowed); any other encoding is refused with where it broke."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("cp1251")
            hint = _(" Похоже на Windows-1251.")
        except UnicodeDecodeError:
            pass
        raise FileRejected(
            _(
                "Файл «%(name)s» не в кодировке UTF-8 (строка %(line)s).%(hint)s "
                "Сохраните его в UTF-8."
            )
            % {"name": name, "line": line, "hint": hint}
        ) from None


def read_rows(
    data: bytes, fmt: str, name: str, header: Sequence[str], required: Sequence[str] = ()
) -> Iterator[tuple[int, dict]]:
    """(line, {column: raw value}) for each data row. CSV: the file's line where the row starts
    (the header is line 1); JSON: the object's number in the array."""
    text = decode(data, name)
    if fmt == "json":
        yield from _json_rows(text, name)
    else:
        yield from _csv_rows(text, name, header, required)


def _csv_rows(
    text: str, name: str, header: Sequence[str], required: Sequence[str]
) -> Iterator[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER, strict=True)
    try:
        columns = next(reader)
    except StopIteration:
        raise FileRejected(_("Файл «%(name)s» пустой.") % {"name": name}) from None
    except csv.Error as error:
        raise FileRejected(
            _("Файл «%(name)s»: %(error)s") % {"name": name, "error": error}
        ) from None
    columns = [c.strip() for c in columns]
    if len(columns) == 1 and "," in columns[0]:
        raise FileRejected(
            _("Файл «%(name)s»: колонки разделяются точкой с запятой «;», а не запятой.")
            % {"name": name}
        )
    check_header(columns, header, name)
    missing = [c for c in required if c not in columns]
    if missing:
        raise FileRejected(
            _("Файл «%(name)s»: нет обязательных колонок %(columns)s.")
            % {"name": name, "columns": ", ".join(missing)}
        )
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileRejected(
                _("Файл «%(name)s», строка %(line)s: %(error)s")
                % {"name": name, "line": start, "error": error}
            ) from None
        line, start = start, reader.line_num + 1
        if not values:
            continue  # an empty line
        if len(values) != len(columns):
            yield (
                line,
                {
                    "__error__": _("значений в строке %(got)s, а колонок %(want)s")
                    % {"got": len(values), "want": len(columns)}
                },
            )
            continue
        yield line, dict(zip(columns, values, strict=True))


def check_header(columns: Sequence[str], header: Sequence[str], name: str) -> None:
    unknown = [c for c in columns if c not in header]
    if unknown:
        raise FileRejected(
            _("Файл «%(name)s»: неизвестные колонки %(columns)s.")
            % {"name": name, "columns": ", ".join(unknown)}
        )
    if len(set(columns)) != len(columns):
        raise FileRejected(_("Файл «%(name)s»: колонки повторяются.") % {"name": name})


def _json_rows(text: str, name: str) -> Iterator[tuple[int, dict]]:
    try:
        data = json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as error:
        raise FileRejected(
            _("Файл «%(name)s» — не JSON: %(error)s") % {"name": name, "error": error}
        ) from None
    if not isinstance(data, list):
        raise FileRejected(
            _("Файл «%(name)s»: нужен массив объектов JSON, по одному на строку.") % {"name": name}
        )
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            yield number, {"__error__": _("запись — не объект JSON")}
        else:
            yield number, item


# --- writing ---------------------------------------------------------------------------------


def cell(value: object) -> object:
    """A value as the files hold it: ISO dates, decimals as text with a point, booleans."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would run as a formula, made inert by a leading apostrophe
    (and an apostrophe that would be taken for that mark, doubled)."""
    if value.startswith(FORMULA_STARTS) or (value.startswith("'") and value[1:2] in _ESCAPED):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """What `neutralise` wrote, read back (CSV text cells)."""
    if value.startswith("'") and value[1:2] in _ESCAPED:
        return value[1:]
    return value


_ESCAPED = {*FORMULA_STARTS, "'"}


def write_csv(
    stream: io.TextIOBase, header: Sequence[str], rows: Iterable[dict], text_columns: set[str]
) -> int:
    writer = csv.writer(stream, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        out = []
        for column in header:
            value = cell(row.get(column))
            if value is None:
                value = ""
            elif isinstance(value, bool):
                value = "true" if value else "false"
            elif column in text_columns and isinstance(value, str):
                value = neutralise(value)
            out.append(value)
        writer.writerow(out)
        count += 1
    return count


def write_json(stream: io.TextIOBase, header: Sequence[str], rows: Iterable[dict]) -> int:
    stream.write("[")
    count = 0
    for row in rows:
        stream.write(",\n" if count else "\n")
        stream.write(json.dumps({c: cell(row.get(c)) for c in header}, ensure_ascii=False))
        count += 1
    stream.write("\n]\n")
    return count


def safe_relative(path: str) -> PurePosixPath | None:
    """A relative path inside the exchange folder (no `..`, no absolute path), or None."""
    if not path or "\\" in path or "\x00" in path:
        return None
    pure = PurePosixPath(path)
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts):
        return None
    return pure
