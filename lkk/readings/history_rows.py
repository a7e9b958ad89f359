"""The rows of «История показаний» written in Python (lkk.core.rows says why).

Through the template engine each reading's row cost its `|date`, two `|reading`s, two
`get_FOO_display()` and the lookups of ten variables; each month of the table a `|date:"F Y"`
that walks the format letter by letter in the active language: two thirds of the page's
rendering. These functions write the same cells, escaped as the template escaped them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lkk.core import formats
from lkk.core.rows import day, e, label, labels
from lkk.customers.models import Meter
from lkk.readings.history import MonthlyConsumption
from lkk.readings.models import Reading


@functools.lru_cache(maxsize=1024)
def _month(language: str | None, year: int, month: int, fmt: str) -> str:
    return date_format(dt.date(year, month, 1), fmt)


def month_label(month: dt.date, fmt: str) -> str:
    """`month` as `|date:fmt` writes it in the active language («Январь 2026» for «F Y», «янв
    2026» for «b Y»): Django's own result, remembered per language (two years of months)."""
    return _month(get_language(), month.year, month.month, fmt)


def reading_format(meter: Meter) -> Callable[[Decimal], str]:
    """value → what `{{ value|reading:meter }}` writes, for this meter's values."""
    places = meter.decimal_places or 0
    return lambda value: e(formats.reading(value, places))


def readings(rows: Iterable, meter: Meter) -> str:
    """The rows of the history table (readings, or named tuples of history.ROW_FIELDS): date,
    zone, value, consumption, source and status with the reason of a refusal; a refused
    reading's row is marked red."""
    sources, statuses = labels(Reading, "source"), labels(Reading, "status")
    value = reading_format(meter)
    zones: dict[str, str] = {}
    first = (
        '<span class="text-body-secondary" title="'
        f'{e(_("Первое показание после замены прибора учёта"))}">—</span>'
    )
    danger = ' class="table-danger"'
    html = []
    for r in rows:
        zone = zones.get(r.zone)
        if zone is None:
            zone = zones[r.zone] = e(meter.get_zone_label(r.zone))
        reason = f": {e(r.rejection_reason)}" if r.rejection_reason else ""
        html.append(
            f"<tr{danger if r.status == Reading.Status.REJECTED else ''}>"
            f'<td class="text-nowrap">{day(r.read_on)}</td><td class="text-nowrap">{zone}</td>'
            f'<td class="text-end">{value(r.value)}</td>'
            f'<td class="text-end">'
            f"{first if r.consumption is None else value(r.consumption)}</td>"
            f"<td>{label(sources, r.source)}</td><td>{label(statuses, r.status)}{reason}</td></tr>"
        )
    return "".join(html)


def monthly(consumption: MonthlyConsumption, meter: Meter) -> str:
    """The rows of the monthly table: the month («Январь 2026»), then each zone's kWh or «—»."""
    value = reading_format(meter)
    return "".join(
        f'<tr><th scope="row" class="fw-normal">{e(month_label(month, "F Y"))}</th>'
        + "".join(f'<td class="text-end">{"—" if v is None else value(v)}</td>' for v in values)
        + "</tr>"
        for month, values in consumption.rows()
    )
