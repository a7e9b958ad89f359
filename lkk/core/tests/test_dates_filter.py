"""The templates' `|date` (lkk/core/templatetags/dates.py) renders what Django's renders."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Engine, engines
from django.utils import timezone, translation

VALUES = [
    dt.date(2026, 3, 7),
    dt.date(987, 12, 31),
    dt.datetime(2026, 3, 7, 23, 59, 58),
    dt.datetime(2026, 3, 7, 22, 30, tzinfo=dt.UTC),  # the next day in Moscow
    dt.datetime(2026, 1, 1, 0, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Vladivostok")),
    None,
    "",
    "not a date",
]
FORMATS = ["d.m.Y", "d.m.Y H:i", "m.Y", "D, d.m", "F Y", "H:i"]
TIME_FORMATS = {"d.m.Y H:i", "H:i"}  # a date has no time: Django refuses them (so do we)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_renders_what_djangos_filter_renders(language, fmt, settings):
    source = '{{ value|date:"' + fmt + '" }}|{{ value|date }}'
    ours = engines["django"].from_string(source)
    django = Engine().from_string(source)
    with translation.override(language), timezone.override("Europe/Moscow"):
        for value in VALUES:
            if fmt in TIME_FORMATS and type(value) is dt.date:
                continue
            assert ours.render({"value": value}) == django.render(Context({"value": value}))
