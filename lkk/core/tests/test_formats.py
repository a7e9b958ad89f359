"""lkk/core/formats.py and its template filters: readings, money, kWh and quoted names."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import number_format
from hypothesis import given
from hypothesis import strategies as st

from lkk.core import formats

NNBSP = "\u202f"  # narrow no-break space: the digit group separator
NBSP = "\u00a0"  # no-break space: before a unit


@pytest.fixture(autouse=True)
def _russian():
    with translation.override("ru"):
        yield


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("244706.9300"), 1, f"244{NNBSP}706,9"),
        (Decimal("244706.96"), 1, f"244{NNBSP}707,0"),  # rounded half up, not cut
        (Decimal("244706.95"), 1, f"244{NNBSP}707,0"),
        (Decimal("1200"), 2, f"1{NNBSP}200,00"),
        (Decimal("12345.6000"), None, f"12{NNBSP}345,6"),  # no fixed places: no trailing zeros
        (Decimal("999"), 0, "999"),
        (Decimal("1000000"), 0, f"1{NNBSP}000{NNBSP}000"),
        (Decimal("-1234.5"), 2, f"\u22121{NNBSP}234,50"),  # a true minus sign
        (Decimal("-0.04"), 1, "0,0"),  # no «−0,0»
        (Decimal("0"), None, "0"),
        (Decimal("1E+3"), None, f"1{NNBSP}000"),
        (7, None, "7"),
        ("132.3441", 1, "132,3"),
    ],
)
def test_number(value, places, shown):
    assert formats.number(value, places) == shown


def test_money_has_kopecks_grouping_and_the_rouble_sign():
    assert formats.money(Decimal("1488279.75")) == f"1{NNBSP}488{NNBSP}279,75{NBSP}₽"
    assert formats.money(Decimal("5")) == f"5,00{NBSP}₽"


def test_kwh_has_the_unit_after_a_no_break_space():
    assert formats.kwh(Decimal("132.3441"), 1) == f"132,3{NBSP}кВт·ч"
    with translation.override("en"):
        assert formats.kwh(Decimal("132.3441"), 1) == f"132.3{NBSP}kWh"


def test_reading_has_the_meters_decimals_but_never_hides_billings():
    assert formats.reading(Decimal("244706.9000"), 1) == f"244{NNBSP}706,9"
    assert formats.reading(Decimal("244706"), 1) == f"244{NNBSP}706,0"
    # A value with more decimals than the meter shows is not rounded into another value.
    assert formats.reading(Decimal("1003411.55"), 0) == f"1{NNBSP}003{NNBSP}411,55"


def test_english_keeps_the_narrow_space_and_a_decimal_point():
    with translation.override("en"):
        assert formats.number(Decimal("244706.93"), 2) == f"244{NNBSP}706.93"
        assert formats.money(Decimal("1488279.75")) == f"1{NNBSP}488{NNBSP}279.75{NBSP}₽"


@pytest.mark.parametrize("value", [1.5, float("nan"), True])
def test_a_float_is_refused(value):
    with pytest.raises(TypeError):
        formats.number(value)
    with pytest.raises(TypeError):
        formats.money(value)


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity"])
def test_not_a_number_is_refused(value):
    with pytest.raises(ValueError, match="not a"):
        formats.number(value)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        (f"244{NNBSP}706,9", Decimal("244706.9")),
        ("244 706,9", Decimal("244706.9")),
        (f"244{NBSP}706.9", Decimal("244706.9")),
        (" 244\u2009706 ", Decimal("244706")),
        ("\u22125", Decimal("-5")),
    ],
)
def test_parse_number_reads_what_a_customer_types_or_pastes(typed, value):
    assert formats.parse_number(typed) == value


@pytest.mark.parametrize("typed", ["", "1,2,3", "1e5", "12a", "--5", ",5"])
def test_parse_number_refuses_what_is_not_a_number(typed):
    with pytest.raises(ValueError, match="not a number"):
        formats.parse_number(typed)


def test_editable_has_no_groups():
    assert formats.editable(Decimal("244706.9000"), 1) == "244706,9"
    assert formats.editable(Decimal("-1234.5"), 1) == "-1234,5"


decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=4
)


@given(value=decimals, places=st.integers(min_value=0, max_value=4))
def test_round_trip_with_fixed_places(value, places):
    """What is shown reads back as the value rounded to the places shown, in both languages."""
    expected = value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    for language in ("ru", "en"):
        with translation.override(language):
            shown = formats.number(value, places)
            assert formats.parse_number(shown) == expected
            assert formats.parse_number(formats.editable(value, places)) == expected
            whole, _, fraction = shown.lstrip("\u2212").partition("," if language == "ru" else ".")
            assert len(fraction) == places
            groups = whole.split(NNBSP)
            assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3


@given(
    value=st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**20), max_value=10**20),
    places=st.integers(min_value=0, max_value=6),
)
def test_the_fast_grouping_is_djangos_number_format(value, places):
    """number() groups digits itself (one format call): it shows what Django's number_format
    shows for the rounded value, in both languages."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    for language in ("ru", "en"):
        with translation.override(language):
            django = number_format(abs(rounded), places, force_grouping=True)
            assert formats.number(value, places).lstrip("\u2212") == django


@given(value=decimals)
def test_round_trip_without_fixed_places_is_exact(value):
    assert formats.parse_number(formats.number(value)) == value


def _render(template: str, **context: object) -> str:
    return Template("{% load numbers typography %}" + template).render(Context(context))


class _Meter:
    decimal_places = 1


def test_filters():
    assert _render("{{ v|reading:m }}", v=Decimal("244706.9000"), m=_Meter()) == f"244{NNBSP}706,9"
    assert _render("{{ v|money }}", v=Decimal("1488279.75")) == f"1{NNBSP}488{NNBSP}279,75{NBSP}₽"
    assert _render("{{ v|kwh:1 }}", v=Decimal("132.3441")) == f"132,3{NBSP}кВт·ч"
    assert _render("{{ v|number:2 }}", v=Decimal("5")) == "5,00"
    assert _render("{{ v|number }}", v=Decimal("5.50")) == "5,5"
    assert _render("[{{ v|reading:m }}{{ v|money }}{{ v|number }}]", v=None, m=_Meter()) == "[]"


# --- Quotes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("ЗАО «Севермаш»", "«ЗАО „Севермаш“»"),
        ('ООО "Ромашка"', "«ООО „Ромашка“»"),
        ("Петров Сергей Николаевич", "«Петров Сергей Николаевич»"),
        ("АО «Завод «Красный Октябрь»»", "«АО „Завод „Красный Октябрь““»"),
    ],
)
def test_a_quoted_name_nests_its_own_quotes(name, shown):
    assert formats.quoted(name) == shown
    assert f"«{formats.inner_quotes(name)}»" == shown


def test_quote_filters():
    assert _render("{{ n|quoted }}", n="ЗАО «Севермаш»") == "«ЗАО „Севермаш“»"
    assert _render("«{{ n|inner_quotes }}»", n="ЗАО «Севермаш»") == "«ЗАО „Севермаш“»"
    assert _render("[{{ n|quoted }}]", n=None) == "[]"
