"""The `date` filter, with a shortcut for the portal's everyday «d.m.Y» (a template builtin).

Every list row shows a date as «31.12.2026»; Django's filter reads the active language's format
settings and walks the format letter by letter: a tenth of «Главная»'s rendering (issue 13).
For a date or datetime (already in local time: the filter expects it, like Django's) and the
format «d.m.Y» (and «d.m.Y H:i») the result is the digits themselves, which is what Django
gives in every language; anything else goes to Django's filter as before.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.template import defaultfilters

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value: object, arg: str | None = None) -> str:
    if isinstance(value, dt.date):
        if arg == "d.m.Y":
            return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
        if arg == "d.m.Y H:i" and isinstance(value, dt.datetime):
            return (
                f"{value.day:02d}.{value.month:02d}.{value.year:04d} "
                f"{value.hour:02d}:{value.minute:02d}"
            )
    return defaultfilters.date(value, arg)
