"""Template filters over `lkk.core.formats`: every number a page shows goes through these.

    {{ r.value|reading:meter }}     «244 706,9» — the meter's decimals
    {{ contract.balance|money }}    «1 488 279,75 ₽»
    {{ r.consumption|kwh:1 }}       «132,3 кВт·ч»
    {{ charge.amount|number:2 }}    «1 488 279,75» (a column whose header names the unit)

An empty value (None or "") gives an empty string, so a template decides what a gap shows.
"""

from __future__ import annotations

from django import template

from lkk.core import formats

register = template.Library()


def _empty(value: object) -> bool:
    return value is None or value == ""


def _places(arg: object) -> int | None:
    """A count of decimals, or an object that has one (a Meter's `decimal_places`)."""
    if arg is None or arg == "":
        return None
    return int(getattr(arg, "decimal_places", arg))


@register.filter
def number(value: formats.Number | None, places: object = None) -> str:
    return "" if _empty(value) else formats.number(value, _places(places))


@register.filter
def reading(value: formats.Number | None, meter: object) -> str:
    return "" if _empty(value) else formats.reading(value, _places(meter) or 0)


@register.filter
def money(value: formats.Number | None) -> str:
    return "" if _empty(value) else formats.money(value)


@register.filter
def kwh(value: formats.Number | None, places: object = None) -> str:
    return "" if _empty(value) else formats.kwh(value, _places(places))
