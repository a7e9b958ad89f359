"""The query-parameter parser (lkk/core/params.py): a hostile value is "not given", never an
exception, and what comes out fits the database."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.http import QueryDict
from hypothesis import example, given
from hypothesis import strategies as st

from lkk.core.params import (
    MAX_ID,
    param_choice,
    param_date,
    param_id,
    param_ids,
    param_page,
    param_text,
    parse_id,
)

#: Values that `str.isdigit()` accepts and `int()` refuses or reads as a number nobody typed.
UNICODE_DIGITS = ["²", "①", "٣", "१२", "１２", "𝟙", "߁", "3²"]
NOT_IDS = [
    *UNICODE_DIGITS,
    "",
    " ",
    " 1",
    "1 ",
    "1\n",
    "0",
    "00",
    "-1",
    "+1",
    "1.0",
    "1e9",
    "0x10",
    "1_000",
    "\x00",
    "1\x00",
    str(MAX_ID + 1),
    "99999999999999999999999",
    "9" * 5000,
    "NaN",
    "' OR 1=1 --",
]


def _q(**values: str | list[str]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in values.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


@pytest.mark.parametrize("value", NOT_IDS)
def test_anything_but_a_plain_number_in_range_is_not_an_id(value):
    assert parse_id(value) is None
    assert param_id(_q(contract=value), "contract") is None
    assert param_page(_q(page=value)) is None


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("42", 42), ("007", 7)])
def test_plain_numbers_are_ids(value, expected):
    assert param_id(_q(contract=value), "contract") == expected


def test_the_largest_bigint_is_an_id():
    assert parse_id(str(MAX_ID)) == MAX_ID


def test_an_absent_parameter_is_none():
    assert param_id(QueryDict(), "contract") is None
    assert param_page(QueryDict()) is None
    assert param_date(QueryDict(), "from") is None
    assert param_text(QueryDict(), "q") == ""
    assert param_ids(QueryDict(), "contracts") == []


def test_a_repeated_parameter_is_read_as_its_last_value():
    assert param_id(_q(contract=["1", "²"]), "contract") is None
    assert param_id(_q(contract=["²", "5"]), "contract") == 5


@given(st.text())
@example("²")
@example("9" * 30)
def test_any_text_gives_an_id_in_range_or_none(value):
    result = parse_id(value)
    assert result is None or (1 <= result <= MAX_ID and value.isascii() and value.isdecimal())


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_every_id_in_range_reads_back(number):
    assert parse_id(str(number)) == number


@given(st.integers().filter(lambda n: not 1 <= n <= MAX_ID))
def test_every_number_out_of_range_is_none(number):
    assert parse_id(str(number)) is None


@given(st.lists(st.one_of(st.text(max_size=25), st.integers(1, 10**6).map(str)), max_size=8))
def test_a_list_keeps_only_ids_in_order_without_repeats(values):
    ids = param_ids(_q(contracts=values), "contracts")
    expected = list(dict.fromkeys(int(v) for v in values if parse_id(v) is not None))
    assert ids == expected
    assert all(1 <= i <= MAX_ID for i in ids)


def test_a_list_drops_unicode_digits():
    assert param_ids(_q(contracts=["3", "²", "①", "3", "7"]), "contracts") == [3, 7]


def test_a_choice_is_one_of_the_allowed_the_default_when_absent_or_none():
    allowed = ("csv", "xlsx")
    assert param_choice(_q(format="xlsx"), "format", allowed, default="csv") == "xlsx"
    assert param_choice(QueryDict(), "format", allowed, default="csv") == "csv"
    for hostile in ("", "CSV", "pdf", "csv\x00", "../etc", "csv "):
        assert param_choice(_q(format=hostile), "format", allowed, default="csv") is None


@given(st.text())
def test_a_choice_never_answers_a_value_not_allowed(value):
    assert param_choice(_q(sort=value), "sort", {"name", "-name"}) in (None, "name", "-name")


@given(st.text(), st.integers(min_value=1, max_value=200))
@example("a\x00b", 100)
@example(" \x00 ", 100)
def test_search_text_has_no_control_characters_and_keeps_its_limit(value, max_len):
    text = param_text(_q(q=value), "q", max_len)
    assert len(text) <= max_len
    assert "\x00" not in text
    assert not any(unicodedata.category(c) == "Cc" for c in text)
    assert text == text.lstrip()


def test_search_text_keeps_what_a_person_typed():
    assert param_text(_q(q="  ООО «Альфа» 12 "), "q") == "ООО «Альфа» 12"
    assert param_text(_q(q="ab\x00c\td"), "q") == "abcd"
    assert param_text(_q(q="x" * 300), "q") == "x" * 100


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20", dt.date(2026, 11, 20)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("0001-01-01", dt.date(1, 1, 1)),
        ("9999-12-31", dt.date(9999, 12, 31)),
    ],
)
def test_iso_dates_are_dates(value, expected):
    assert param_date(_q(d=value), "d") == expected


@pytest.mark.parametrize(
    "value",
    [
        "2023-02-29",
        "2026-13-01",
        "2026-00-10",
        "0000-01-01",
        "2026-1-5",
        "20261120",
        "20.11.2026",
        "2026-11-20T00:00",
        "2026-11-20\n",
        "２０２６-11-20",
        "٢٠٢٦-11-20",
        "+12026-11-20",
        "",
        "\x00",
    ],
)
def test_anything_but_a_real_iso_date_is_none(value):
    assert param_date(_q(d=value), "d") is None


@given(st.text(max_size=30))
def test_any_text_gives_a_date_or_none(value):
    result = param_date(_q(d=value), "d")
    assert result is None or result.isoformat() == value


@given(st.dates())
def test_every_date_reads_back(day):
    assert param_date(_q(d=day.isoformat()), "d") == day
