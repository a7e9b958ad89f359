"""Bulk submission of meter readings from an XLSX template (M5).

A business customer with thousands of meters downloads a template with one row per meter in
service (its previous readings filled in), types the new values and uploads the file. Every row
with a value is one meter's submission, judged by the same rules as the form
(`services.readings_judge`, all rows in one call); the rows that pass are written under one
receipt, the others are kept with their reason on the `BulkUpload` record.

The file is a data format, not a page: its headers and marks are fixed Russian texts whatever
the interface language, so that a template downloaded in one language uploads in the other.
"""

from lkk.core.errors import ApplicationError
from lkk.readings.bulk.files import FileRow, file_rows, number_text
from lkk.readings.bulk.layout import (
    AUTOMATIC_MARK,
    COLUMN,
    HEADERS,
    MAX_ROWS,
    PREVIOUS_COLUMNS,
    SHEET_TITLE,
    VALUE_COLUMNS,
    XLSX_CONTENT_TYPE,
)
from lkk.readings.bulk.process import upload_process, verdict_reason
from lkk.readings.bulk.template import template_build, template_meters

__all__ = [
    "AUTOMATIC_MARK",
    "COLUMN",
    "HEADERS",
    "MAX_ROWS",
    "PREVIOUS_COLUMNS",
    "SHEET_TITLE",
    "VALUE_COLUMNS",
    "XLSX_CONTENT_TYPE",
    "ApplicationError",
    "FileRow",
    "file_rows",
    "number_text",
    "template_build",
    "template_meters",
    "upload_process",
    "verdict_reason",
]
