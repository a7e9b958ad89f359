"""The XLSX template's layout: sheet, columns, marks and instructions (fixed Russian texts)."""

from __future__ import annotations

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
HEADER_FILL = "#DDEBF7"
INPUT_FILL = "#FFF2CC"
UNUSED_FILL = "#D9D9D9"
DATE_FORMAT = "DD.MM.YYYY"
ZONE_NAMES = {
    "total": "сутки",
    "day": "день",
    "night": "ночь",
    "peak": "пик",
    "half_peak": "полупик",
}
TARIFFS = {1: "Однотарифный", 2: "Двухзонный", 3: "Трёхзонный"}
