"""The reading window (LKK_READING_WINDOW) as «Главная» states it: open until, or next opening."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from lkk.readings.rules import Window


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
