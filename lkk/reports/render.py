"""A built report as JSON (kept on the Report), XLSX (xlsxwriter) and PDF (WeasyPrint)."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string

from lkk.billing.views import xlsx_book
from lkk.reports.builders import Built


def _cell_to_json(value: object) -> object:
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _cell_from_json(value: object) -> object:
    if isinstance(value, dict) and "d" in value:
        return Decimal(value["d"])
    return value


def to_json(built: Built) -> dict:
    return {
        "title": built.title,
        "subtitle": built.subtitle,
        "chart": built.chart,
        "sections": [
            {
                "title": s.title,
                "headers": s.headers,
                "rows": [[_cell_to_json(v) for v in row] for row in s.rows],
                "total": [_cell_to_json(v) for v in s.total] if s.total else None,
            }
            for s in built.sections
        ],
    }


def from_json(data: dict) -> dict:
    """The stored result with its amounts as Decimal again."""
    return {
        **data,
        "sections": [
            {
                **s,
                "rows": [[_cell_from_json(v) for v in row] for row in s["rows"]],
                "total": [_cell_from_json(v) for v in s["total"]] if s.get("total") else None,
            }
            for s in data.get("sections", [])
        ],
    }


def xlsx(data: dict) -> bytes:
    data = from_json(data)
    return xlsx_book([(s["title"], s["headers"], s["rows"], s["total"]) for s in data["sections"]])


def pdf(data: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reports/report_pdf.html", {"report": from_json(data)})
    return HTML(string=html).write_pdf()
