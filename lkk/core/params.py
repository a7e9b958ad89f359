"""One parser for query and form parameters that views read by hand (ids, pages, sort keys,
filters, search text, dates).

A parameter is a string anyone can type into the address bar, so each helper answers either
a value the database and the ORM accept, or ``None`` ("not given"); the view then ignores the
parameter or answers 404. A hostile value never reaches ``int()`` or a query raw, because:

- ``str.isdigit()`` is true for "²", "①" and "٣": ``int("²")`` raises, and ``int("٣")`` is 3,
  a number nobody typed. Only ASCII ``0-9`` count as digits here.
- A primary key is a signed 64-bit integer. SQLite raises ``OverflowError`` for a larger
  Python int and PostgreSQL refuses it, so ids beyond ``2**63 - 1`` are not ids.
- PostgreSQL text cannot hold NUL (``\\x00``): psycopg raises before the query is sent. Search
  text loses NUL and the other control characters.

Every helper takes the ``QueryDict`` (``request.GET`` or ``request.POST``) and the parameter's
name, and reads the last value when the parameter is repeated, as ``QueryDict.get`` does.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Mapping

from django.utils.datastructures import MultiValueDict

__all__ = [
    "MAX_ID",
    "param_choice",
    "param_date",
    "param_id",
    "param_ids",
    "param_page",
    "param_text",
    "parse_id",
]

#: The largest value of a bigint primary key (and of PostgreSQL's `bigint`, SQLite's INTEGER).
MAX_ID = 2**63 - 1
#: ASCII digits only (`\d` would take "٣"); `fullmatch` also refuses a trailing newline.
_DIGITS = re.compile(r"[0-9]{1,19}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Unicode categories dropped from search text: control characters (NUL among them) and lone
#: surrogates, which cannot be encoded as UTF-8 for the database.
_DROPPED = frozenset({"Cc", "Cs"})

Params = Mapping[str, str]


def parse_id(value: object) -> int | None:
    """``value`` as a primary key: plain ASCII digits in 1..``MAX_ID``; anything else is None."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def param_id(params: Params, name: str) -> int | None:
    """An object's id (`?contract=42`), or None when absent or not an id (then ignore it)."""
    return parse_id(params.get(name))


def param_ids(params: MultiValueDict, name: str) -> list[int]:
    """Every id of a repeated parameter (`contracts=1&contracts=2`, checkboxes), in order and
    without repeats; values that are not ids are dropped."""
    ids = (parse_id(value) for value in params.getlist(name))
    return list(dict.fromkeys(i for i in ids if i is not None))


def param_page(params: Params, name: str = "page") -> int | None:
    """A page number for ``Paginator.get_page``: None (the first page) unless it is a plain
    number from 1. ``get_page`` turns a page past the end into the last page; it would also
    read "٣" as 3, which this refuses."""
    return parse_id(params.get(name))


def param_choice(
    params: Params, name: str, allowed: Collection[str], *, default: str | None = None
) -> str | None:
    """One of ``allowed`` (a sort key, a status, a format): ``default`` when the parameter is
    absent, None when it is given but is not one of them (the view ignores it or answers 404)."""
    value = params.get(name)
    if value is None:
        return default
    return value if value in allowed else None


def param_text(params: Params, name: str, max_len: int = 100) -> str:
    """Search text: control characters (NUL among them) removed, spaces trimmed, at most
    ``max_len`` characters; "" when absent."""
    value = params.get(name) or ""
    if not isinstance(value, str):
        return ""
    if not value.isprintable():
        value = "".join(c for c in value if unicodedata.category(c) not in _DROPPED)
    return value.strip()[:max_len]


def param_date(params: Params, name: str) -> dt.date | None:
    """A date written as ISO ``yyyy-mm-dd`` (what ``<input type="date">`` sends); None when
    absent, in another form or not a real date (2024-02-30, month 13)."""
    value = params.get(name)
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
