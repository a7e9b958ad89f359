"""Table rows written in Python: the hot loops of the customer's lists (issue 13's profile).

Through Django's template engine a list's row costs 0.2–0.5 ms (variable lookups, escaping,
localisation, `{% url %}`, `get_FOO_display()` rebuilding a dict of choices per call): 25 rows
cost more than the rest of the page with its menu. A list renders its rows with a function
instead (a view's `rows_html`), built from these helpers so that it reads like its template did
and escapes the same:

    point_url = id_url("customers:point_detail")     # reversed once, then formatted
    voltage = labels(MeteringPoint, "voltage_level")  # value → escaped label, this language
    f'<td><a href="{point_url(row.pk)}">{e(row.code)}</a></td><td>{voltage[row.voltage_level]}</td>'

Every value goes through `e()` (autoescaping, quotes included), so a row is as safe as a
template's; the page's template shows the result with `{{ rows_html }}` (a SafeString).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from html import escape

from django.conf import settings
from django.db.models import Model
from django.http import QueryDict
from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from lkk.core import formats
from lkk.core.templatetags.urls import cached_reverse

#: An id no row has, reversed in its place: the URL is cut around it.
_SENTINEL = 918273645


def e(value: object) -> str:
    """`value` as HTML text: escaped, quotes too (safe in an attribute); None is empty.

    As Django's autoescaping: a value already marked safe (`__html__`) is kept as it is.
    """
    if value is None:
        return ""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def id_url(view_name: str) -> Callable[[object], str]:
    """`pk → reverse(view_name, args=[pk])` for a view of one integer id, escaped for HTML.

    Reversed once (through the `{% url %}` tag's cache: URL conf, script prefix, language);
    each row's URL is then the id put between the two halves.
    """
    url = cached_reverse(view_name, (_SENTINEL,), {}, None)
    head, found, tail = url.partition(str(_SENTINEL))
    if not found or str(_SENTINEL) in tail:
        raise ValueError(f"{view_name} does not take one integer id")
    head, tail = escape(head), escape(tail)
    return lambda pk: f"{head}{int(pk)}{tail}"


def url(view_name: str) -> str:
    """A view's URL without arguments, escaped (through the `{% url %}` tag's cache)."""
    return escape(cached_reverse(view_name, (), {}, None))


@functools.lru_cache(maxsize=512)
def _labels(model: type[Model], field: str, language: str | None) -> dict[object, str]:
    return {value: escape(str(label)) for value, label in model._meta.get_field(field).flatchoices}


def labels(model: type[Model], field: str) -> dict[object, str]:
    """A choice field's labels in the active language, escaped: what `get_FOO_display` shows.

    A value outside the choices shows as itself (as `get_FOO_display` does): use `label()`.
    """
    return _labels(model, field, get_language())


def label(labels: dict[object, str], value: object) -> str:
    found = labels.get(value)
    return found if found is not None else e(value)


def day(value: dt.date | None) -> str:
    """«31.01.2026», as `|date:"d.m.Y"`; None is empty."""
    return "" if value is None else f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def number(value: formats.Number | None, places: int | None = None) -> str:
    """As the `|number` filter: grouped, the language's separators; None is empty."""
    return "" if value is None or value == "" else escape(formats.number(value, places))


def plain(value: object) -> str:
    """As `{{ value }}` shows a number or a date: localised, then escaped."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() gives an int without digit groups
    return e(localize(value))


def querystring(query: QueryDict, **changes: str | None) -> str:
    """What `{% querystring key=value … %}` gives for `query` (None removes a key)."""
    params = query.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return f"?{params.urlencode()}" if params or query else ""


def join(rows: str | Iterable[str]) -> SafeString:
    """The rows' HTML, safe: a row function's string as it is (joining a string would walk it
    character by character), or its pieces joined."""
    return SafeString(rows if isinstance(rows, str) else "".join(rows))
