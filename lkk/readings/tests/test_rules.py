"""lkk/readings/rules.py as pure functions: the window (LKK_READING_WINDOW) as «Главная» states
it, and a typed value read back as the portal shows it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from lkk.customers.models import Meter
from lkk.readings.rules import Window, parse_value


@pytest.fixture(autouse=True)
def _russian():
    with translation.override("ru"):
        yield


@pytest.mark.parametrize(
    ("window", "today", "message"),
    [
        ("15-25", dt.date(2026, 11, 15), "Приём показаний открыт до 25.11.2026 включительно."),
        ("15-25", dt.date(2026, 11, 25), "Приём показаний открыт до 25.11.2026 включительно."),
        ("20-31", dt.date(2027, 2, 20), "Приём показаний открыт до 28.02.2027 включительно."),
        ("15-25", dt.date(2026, 11, 26), "Следующий приём начнётся 15.12.2026."),
        ("15-25", dt.date(2026, 12, 31), "Следующий приём начнётся 15.01.2027."),
        ("15-25", dt.date(2026, 11, 14), "Следующий приём начнётся 15.11.2026."),
    ],
)
def test_state_message(window, today, message):
    assert message in Window.parse(window).state_message(today)


@pytest.mark.parametrize("text", ["", "15", "25-15", "0-10", "1-32", "15–25"])
def test_a_bad_window_fails_at_parse(text):
    with pytest.raises(ImproperlyConfigured):
        Window.parse(text)


@pytest.mark.parametrize(
    "typed",
    ["244706,9", "244 706,9", "244\u00a0706,9", "244\u202f706,9", " 244\u2009706.9 "],
)
def test_a_value_shown_by_the_portal_can_be_typed_back(typed):
    """«244 706,9» as «Главная» shows it (narrow no-break space), pasted into the form."""
    meter = Meter(digit_capacity=6, decimal_places=1)
    assert parse_value(typed, meter) == Decimal("244706.9")


@pytest.mark.parametrize(
    ("decimals", "typed", "message"),
    [
        (1, "1,25", "Не больше 1 знака после запятой."),
        (2, "1,255", "Не больше 2 знаков после запятой."),
        (0, "1,5", "Этот прибор учёта показывает целые числа: дробная часть лишняя."),
    ],
)
def test_too_many_decimals_in_correct_russian(decimals, typed, message):
    with pytest.raises(ValueError, match=message):
        parse_value(typed, Meter(digit_capacity=6, decimal_places=decimals))


@pytest.mark.parametrize(("digits", "word"), [(3, "знаков"), (5, "знаков"), (6, "знаков")])
def test_too_many_digits_in_correct_russian(digits, word):
    with pytest.raises(ValueError, match=f"Не больше {digits} {word} до запятой"):
        parse_value("1" * (digits + 1), Meter(digit_capacity=digits, decimal_places=0))
