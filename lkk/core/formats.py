"""Numbers (and quoted names) as a customer reads them: one place for meter readings, money, kWh.

Russian typography: digits grouped by three with a narrow no-break space (U+202F), a decimal
comma, the unit after a no-break space — «244 706,9», «1 488 279,75 ₽», «132,3 кВт·ч». The
separators are the active language's (`lkk/formats/<language>/formats.py`), so English reads
«244 706.9».

A reading is shown with as many decimals as its meter shows (`Meter.decimal_places`), so the
customer who adds to it types a value the meter accepts. Values are `Decimal` throughout: a float
is refused, as it would turn kopecks into approximations.
"""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

#: What may separate digit groups in a typed or pasted number: space, no-break space, narrow
#: no-break space (the portal's own), thin space.
GROUP_SEPARATORS = re.compile("[ \u00a0\u202f\u2009]")
MINUS = "\u2212"
UNIT_SPACE = "\u00a0"
#: Without a fixed number of decimals, at most this many are shown (the database keeps 4).
MAX_PLACES = 4

Number = Decimal | int | str


def _decimal(value: Number) -> Decimal:
    if isinstance(value, float | bool):
        raise TypeError(f"a Decimal, int or str is expected, not {type(value).__name__}")
    try:
        result = Decimal(value)
    except InvalidOperation as error:
        raise ValueError(f"not a number: {value!r}") from error
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def _places_of(value: Decimal) -> int:
    """Decimals needed to show `value` without trailing zeros (capped at MAX_PLACES)."""
    exponent = value.normalize().as_tuple().exponent
    return min(MAX_PLACES, max(0, -int(exponent)))


def number(value: Number, places: int | None = None) -> str:
    """`value` grouped, with `places` decimals (rounded half up), or without trailing zeros.

    number(Decimal("244706.93"), 1) → «244 706,9»; number("12345.6000") → «12 345,6».
    """
    value = _decimal(value)
    if places is None:
        places = _places_of(value)
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    separators = _separators(get_language())
    if separators is None:
        text = number_format(abs(rounded), places, force_grouping=True)
    else:
        # Django's number_format, in one C-level format: groups of three (what both languages
        # use), then the language's separators. A list formats hundreds of numbers a page.
        text = f"{abs(rounded):,.{places}f}".translate(separators)
    # A true minus sign; and no «−0,0» for a value that rounds to zero.
    return f"{MINUS}{text}" if rounded < 0 else text


@functools.lru_cache(maxsize=32)
def _separators(language: str | None) -> dict[int, str] | None:
    """Python's «1,234.5» translated into the language's separators; None when the language
    does not group digits by three (number_format does it then)."""
    if get_format("NUMBER_GROUPING") != 3:
        return None
    return str.maketrans(
        {",": get_format("THOUSAND_SEPARATOR"), ".": get_format("DECIMAL_SEPARATOR")}
    )


@receiver(setting_changed)
def _forget_separators(*, setting: str, **kwargs: object) -> None:
    if "FORMAT" in setting or "SEPARATOR" in setting or "GROUPING" in setting:
        _separators.cache_clear()


def reading(value: Number, places: int) -> str:
    """A meter's value with the meter's decimals: «244 706,9» for a meter of 1, «1 200,0».

    A value holding more decimals than its meter shows (billing's, or a meter whose display
    changed) keeps them: rounded, it could read as equal to a value the rules find lower.
    """
    return number(value, max(places, _places_of(_decimal(value))))


def money(value: Number) -> str:
    """Roubles and kopecks: «1 488 279,75 ₽»."""
    return f"{number(value, 2)}{UNIT_SPACE}₽"


def kwh(value: Number, places: int | None = None) -> str:
    """Energy: «132,3 кВт·ч»."""
    return f"{number(value, places)}{UNIT_SPACE}{_('кВт·ч')}"


def editable(value: Number, places: int | None = None) -> str:
    """For an input field: «244706,9» — no digit groups to trip over while editing."""
    return ungroup(number(value, places)).replace(MINUS, "-")


def ungroup(text: str) -> str:
    """The typed `text` without digit-group separators and surrounding blanks."""
    return GROUP_SEPARATORS.sub("", (text or "").strip())


def parse_number(text: str) -> Decimal:
    """The inverse of `number`: «244 706,9» (or «244706.9», «−5») → Decimal; ValueError if not.

    A comma or a point is the decimal separator, whatever the language: customers type both.
    """
    plain = ungroup(text).replace(MINUS, "-").replace(",", ".")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", plain):
        raise ValueError(f"not a number: {text!r}")
    return Decimal(plain)


# --- Quotes ----------------------------------------------------------------------------------

#: A straight double quote that opens (at the start, or after a space or a bracket).
_OPENING_STRAIGHT = re.compile(r'(^|[\s(\[«„])"')


def inner_quotes(text: str) -> str:
    """`text` fit to stand inside «»: its own quotes become the inner „“.

    ЗАО «Севермаш» → ЗАО „Севермаш“, so «Договоры контрагента «ЗАО „Севермаш“»» reads right
    (and not «ЗАО «Севермаш»» with two closing marks in a row). Billing's straight quotes
    (ООО "Ромашка") are taken the same way.
    """
    text = text.replace("«", "„").replace("»", "“")
    text = _OPENING_STRAIGHT.sub(r"\1„", text)
    return text.replace('"', "“")


def quoted(text: str) -> str:
    """«ЗАО „Севермаш“»: a name in Russian quotes, with its own quotes nested."""
    return f"«{inner_quotes(text)}»"
