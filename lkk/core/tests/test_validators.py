"""Tests for the Russian identifier validators in :mod:`lkk.core.validators`.

Plain functions, no database. When pytest-django is not loaded (``-p no:django``) the module
configures just enough Django for ``ValidationError`` messages to be rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django
import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from lkk.core.validators import (
    inn_legal_check_digit,
    inn_person_check_digits,
    is_valid_inn,
    is_valid_inn_legal,
    is_valid_inn_person,
    is_valid_kpp,
    is_valid_ogrn,
    is_valid_ogrnip,
    is_valid_snils,
    make_inn_legal,
    make_inn_person,
    make_ogrn,
    make_ogrnip,
    make_snils,
    normalize_snils,
    ogrn_check_digit,
    ogrnip_check_digit,
    snils_check_digits,
    validate_inn,
    validate_inn_legal,
    validate_inn_person,
    validate_kpp,
    validate_ogrn,
    validate_ogrnip,
    validate_snils,
)

if not settings.configured:
    settings.configure(USE_I18N=True, LANGUAGE_CODE="ru", INSTALLED_APPS=[])
    django.setup()


Validator = Callable[[Any], None]

MSG_INN_FORMAT = "ИНН должен состоять из 10 или 12 цифр"
MSG_INN_LEGAL_FORMAT = "ИНН юридического лица должен состоять из 10 цифр"
MSG_INN_PERSON_FORMAT = "ИНН физического лица должен состоять из 12 цифр"
MSG_INN_CHECKSUM = "ИНН: неверное контрольное число"
MSG_INN_ZEROS = "ИНН не может состоять из одних нулей"
MSG_OGRN_FORMAT = "ОГРН должен состоять из 13 цифр"
MSG_OGRN_CHECKSUM = "ОГРН: неверное контрольное число"
MSG_OGRN_ZEROS = "ОГРН не может состоять из одних нулей"
MSG_OGRNIP_FORMAT = "ОГРНИП должен состоять из 15 цифр"
MSG_OGRNIP_CHECKSUM = "ОГРНИП: неверное контрольное число"
MSG_OGRNIP_ZEROS = "ОГРНИП не может состоять из одних нулей"
MSG_KPP_FORMAT = (
    "КПП должен состоять из 9 символов: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры"
)
MSG_KPP_ZEROS = "КПП не может состоять из одних нулей"
MSG_SNILS_FORMAT = "СНИЛС должен состоять из 11 цифр"
MSG_SNILS_CHECKSUM = "СНИЛС: неверное контрольное число"
MSG_SNILS_ZEROS = "СНИЛС не может состоять из одних нулей"


def assert_rejected(validator: Validator, value: Any, message: str, code: str) -> None:
    """Assert that ``validator`` rejects ``value`` with exactly one message and this code."""
    with pytest.raises(ValidationError) as exc_info:
        validator(value)
    error = exc_info.value
    assert error.code == code
    # The msgids are the Russian texts, so rendering under "ru" must give them back as-is.
    with translation.override("ru"):
        assert error.messages == [message]


def digit_strings(length: int) -> st.SearchStrategy[str]:
    """ASCII digit strings of exactly ``length``, excluding all zeros (refused by make_*)."""
    return st.text(alphabet="0123456789", min_size=length, max_size=length).filter(
        lambda s: s.strip("0") != ""
    )


def other_digits(digit: str) -> list[str]:
    return [d for d in "0123456789" if d != digit]


# --- known valid values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "is_valid", "value"),
    [
        (validate_inn, is_valid_inn, "7707083893"),  # ПАО Сбербанк
        (validate_inn, is_valid_inn, "500100732259"),
        (validate_inn_legal, is_valid_inn_legal, "7707083893"),
        (validate_inn_person, is_valid_inn_person, "500100732259"),
        (validate_ogrn, is_valid_ogrn, "1027700132195"),  # ПАО Сбербанк
        (validate_ogrnip, is_valid_ogrnip, "304500116000157"),
        (validate_kpp, is_valid_kpp, "773601001"),  # ПАО Сбербанк
        (validate_kpp, is_valid_kpp, "7736AB001"),  # letters in the reason code
        (validate_snils, is_valid_snils, "112-233-445 95"),
        (validate_snils, is_valid_snils, "11223344595"),
        (validate_snils, is_valid_snils, "112 233 445 95"),
        (validate_snils, is_valid_snils, "112–233–445\u00a095"),  # en dashes, NBSP
    ],
)
def test_known_valid_values(validator: Validator, is_valid: Callable[[Any], bool], value: str):
    assert validator(value) is None
    assert is_valid(value) is True


def test_non_string_values_are_checked_as_text():
    # An IntegerField or a form may hand the validator an int.
    assert validate_inn(7707083893) is None
    assert_rejected(validate_inn, 7707083894, MSG_INN_CHECKSUM, "inn_checksum")


def test_usable_as_django_form_field_validator():
    field = forms.CharField(validators=[validate_inn])
    assert field.clean("7707083893") == "7707083893"
    with pytest.raises(ValidationError) as exc_info:
        field.clean("7707083894")
    with translation.override("ru"):
        assert exc_info.value.messages == [MSG_INN_CHECKSUM]


# --- known invalid values with exact messages ----------------------------------------------


@pytest.mark.parametrize(
    ("validator", "value", "message", "code"),
    [
        # ИНН, either kind
        (validate_inn, "770708389", MSG_INN_FORMAT, "inn_format"),
        (validate_inn, "77070838931", MSG_INN_FORMAT, "inn_format"),
        (validate_inn, "5001007322591", MSG_INN_FORMAT, "inn_format"),
        (validate_inn, "", MSG_INN_FORMAT, "inn_format"),
        (validate_inn, "770708389A", MSG_INN_FORMAT, "inn_format"),
        (validate_inn, "77O7083893", MSG_INN_FORMAT, "inn_format"),  # Latin O for zero
        (validate_inn, " 7707083893", MSG_INN_FORMAT, "inn_format"),
        (validate_inn, "7707083893\n", MSG_INN_FORMAT, "inn_format"),
        (validate_inn, "７７０７０８３８９３", MSG_INN_FORMAT, "inn_format"),  # fullwidth
        (validate_inn, "-707083893", MSG_INN_FORMAT, "inn_format"),
        (validate_inn, "7707083894", MSG_INN_CHECKSUM, "inn_checksum"),
        (validate_inn, "500100732258", MSG_INN_CHECKSUM, "inn_checksum"),
        (validate_inn, "500100732269", MSG_INN_CHECKSUM, "inn_checksum"),
        (validate_inn, "0000000000", MSG_INN_ZEROS, "inn_all_zeros"),
        (validate_inn, "000000000000", MSG_INN_ZEROS, "inn_all_zeros"),
        # ИНН of a legal entity only
        (validate_inn_legal, "500100732259", MSG_INN_LEGAL_FORMAT, "inn_format"),
        (validate_inn_legal, "770708389", MSG_INN_LEGAL_FORMAT, "inn_format"),
        (validate_inn_legal, "770708389A", MSG_INN_LEGAL_FORMAT, "inn_format"),
        (validate_inn_legal, "7707083894", MSG_INN_CHECKSUM, "inn_checksum"),
        (validate_inn_legal, "0000000000", MSG_INN_ZEROS, "inn_all_zeros"),
        # ИНН of an individual only
        (validate_inn_person, "7707083893", MSG_INN_PERSON_FORMAT, "inn_format"),
        (validate_inn_person, "50010073225", MSG_INN_PERSON_FORMAT, "inn_format"),
        (validate_inn_person, "50010073225X", MSG_INN_PERSON_FORMAT, "inn_format"),
        (validate_inn_person, "500100732258", MSG_INN_CHECKSUM, "inn_checksum"),
        (validate_inn_person, "000000000000", MSG_INN_ZEROS, "inn_all_zeros"),
        # ОГРН
        (validate_ogrn, "102770013219", MSG_OGRN_FORMAT, "ogrn_format"),
        (validate_ogrn, "10277001321950", MSG_OGRN_FORMAT, "ogrn_format"),
        (validate_ogrn, "102770013219X", MSG_OGRN_FORMAT, "ogrn_format"),
        (validate_ogrn, "1027700132194", MSG_OGRN_CHECKSUM, "ogrn_checksum"),
        (validate_ogrn, "0000000000000", MSG_OGRN_ZEROS, "ogrn_all_zeros"),
        # ОГРНИП
        (validate_ogrnip, "30450011600015", MSG_OGRNIP_FORMAT, "ogrnip_format"),
        (validate_ogrnip, "1027700132195", MSG_OGRNIP_FORMAT, "ogrnip_format"),
        (validate_ogrnip, "30450011600015A", MSG_OGRNIP_FORMAT, "ogrnip_format"),
        (validate_ogrnip, "304500116000158", MSG_OGRNIP_CHECKSUM, "ogrnip_checksum"),
        (validate_ogrnip, "000000000000000", MSG_OGRNIP_ZEROS, "ogrnip_all_zeros"),
        # КПП
        (validate_kpp, "77360100", MSG_KPP_FORMAT, "kpp_format"),
        (validate_kpp, "7736010011", MSG_KPP_FORMAT, "kpp_format"),
        (validate_kpp, "7736ab001", MSG_KPP_FORMAT, "kpp_format"),  # lower case
        (validate_kpp, "7736АБ001", MSG_KPP_FORMAT, "kpp_format"),  # Cyrillic capitals
        (validate_kpp, "773A01001", MSG_KPP_FORMAT, "kpp_format"),  # letter in tax office
        (validate_kpp, "773601A01", MSG_KPP_FORMAT, "kpp_format"),  # letter in sequence
        (validate_kpp, "773601001\n", MSG_KPP_FORMAT, "kpp_format"),
        (validate_kpp, "000000000", MSG_KPP_ZEROS, "kpp_all_zeros"),
        # СНИЛС
        (validate_snils, "112-233-445 9", MSG_SNILS_FORMAT, "snils_format"),
        (validate_snils, "112-233-445 950", MSG_SNILS_FORMAT, "snils_format"),
        (validate_snils, "112-233-44A 95", MSG_SNILS_FORMAT, "snils_format"),
        (validate_snils, "112.233.445 95", MSG_SNILS_FORMAT, "snils_format"),
        (validate_snils, "112-233-445 96", MSG_SNILS_CHECKSUM, "snils_checksum"),
        (validate_snils, "11223344594", MSG_SNILS_CHECKSUM, "snils_checksum"),
        (validate_snils, "000-000-000 00", MSG_SNILS_ZEROS, "snils_all_zeros"),
    ],
)
def test_known_invalid_values(validator: Validator, value: str, message: str, code: str):
    assert_rejected(validator, value, message, code)


# --- СНИЛС special cases --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("112233445", "95"),  # sum 95 < 100: the sum itself
        ("001326679", "00"),  # sum 100
        ("001508816", "00"),  # sum 101
        ("017996174", "00"),  # sum > 101, sum mod 101 == 100
        ("001168299", "07"),  # sum > 101, sum mod 101 < 10: zero-padded
    ],
)
def test_snils_control_number_branches(prefix: str, expected: str):
    assert snils_check_digits(prefix) == expected
    assert make_snils(prefix) == prefix + expected
    assert is_valid_snils(prefix + expected)


@pytest.mark.parametrize("control", ["00", "01", "42", "99"])
def test_snils_up_to_001_001_998_accepts_any_control(control: str):
    assert validate_snils(f"001-001-998 {control}") is None
    assert validate_snils(f"000-000-001 {control}") is None


def test_snils_checksum_enforced_from_001_001_999():
    assert snils_check_digits("001001999") == "65"
    assert validate_snils("001-001-999 65") is None
    assert_rejected(validate_snils, "001-001-999 00", MSG_SNILS_CHECKSUM, "snils_checksum")


def test_normalize_snils():
    assert normalize_snils("112-233-445 95") == "11223344595"
    assert normalize_snils(" 112 233 445-95 ") == "11223344595"


# --- ОГРНИП remainder 10–12 ----------------------------------------------------------------


def test_ogrnip_with_remainder_10_is_accepted_unlike_stdnum():
    value = "304500116000180"
    assert int(value[:14]) % 13 == 10
    assert validate_ogrnip(value) is None
    # Documents why we don't delegate to python-stdnum: it rejects this valid number.
    assert not stdnum_ogrn.is_valid(value)


@given(
    quotient=st.integers(min_value=0, max_value=(10**14 - 1 - 12) // 13),
    remainder=st.integers(min_value=10, max_value=12),
)
def test_ogrnip_with_remainder_10_to_12_is_accepted(quotient: int, remainder: int):
    prefix = f"{quotient * 13 + remainder:014d}"
    assert len(prefix) == 14
    value = prefix + str(remainder - 10)
    assert ogrnip_check_digit(prefix) == str(remainder - 10)
    assert validate_ogrnip(value) is None


# --- generators -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "prefix"),
    [
        (make_inn_legal, "77070838"),  # too short
        (make_inn_legal, "77070838A"),
        (make_inn_legal, "000000000"),
        (make_inn_person, "500100732"),
        (make_inn_person, "0000000000"),
        (make_ogrn, "10277001321"),
        (make_ogrnip, "3045001160001"),
        (make_snils, "11223344"),
        (make_snils, "１１２２３３４４５"),  # fullwidth digits
        (make_snils, "000000000"),
    ],
)
def test_make_rejects_bad_prefix(make: Callable[[str], str], prefix: str):
    with pytest.raises(ValueError):
        make(prefix)


def test_make_reproduces_known_values():
    assert make_inn_legal("770708389") == "7707083893"
    assert make_inn_person("5001007322") == "500100732259"
    assert make_ogrn("102770013219") == "1027700132195"
    assert make_ogrnip("30450011600015") == "304500116000157"
    assert make_snils("112233445") == "11223344595"


GENERATORS = [
    # (make, prefix length, check-digit count, validators that must accept the result)
    (make_inn_legal, 9, 1, (validate_inn, validate_inn_legal)),
    (make_inn_person, 10, 2, (validate_inn, validate_inn_person)),
    (make_ogrn, 12, 1, (validate_ogrn,)),
    (make_ogrnip, 14, 1, (validate_ogrnip,)),
    (make_snils, 9, 2, (validate_snils,)),
]


@pytest.mark.parametrize(("make", "length", "n_check", "validators"), GENERATORS)
@given(data=st.data())
def test_make_produces_accepted_values(
    make: Callable[[str], str],
    length: int,
    n_check: int,
    validators: tuple[Validator, ...],
    data: st.DataObject,
):
    prefix = data.draw(digit_strings(length), label="prefix")
    value = make(prefix)
    assert value.startswith(prefix)
    assert len(value) == length + n_check
    for validator in validators:
        assert validator(value) is None


@given(prefix=digit_strings(9))
def test_inn_legal_other_check_digit_rejected(prefix: str):
    value = make_inn_legal(prefix)
    assert value[9] == inn_legal_check_digit(prefix)
    for digit in other_digits(value[9]):
        wrong = prefix + digit
        if wrong.strip("0") == "":
            continue  # "0000000000" is rejected as all zeros, tested elsewhere
        assert_rejected(validate_inn, wrong, MSG_INN_CHECKSUM, "inn_checksum")
        assert_rejected(validate_inn_legal, wrong, MSG_INN_CHECKSUM, "inn_checksum")


@given(prefix=digit_strings(10), position=st.sampled_from([10, 11]))
def test_inn_person_other_check_digit_rejected(prefix: str, position: int):
    value = make_inn_person(prefix)
    assert value[10:] == inn_person_check_digits(prefix)
    for digit in other_digits(value[position]):
        wrong = value[:position] + digit + value[position + 1 :]
        assert_rejected(validate_inn, wrong, MSG_INN_CHECKSUM, "inn_checksum")
        assert_rejected(validate_inn_person, wrong, MSG_INN_CHECKSUM, "inn_checksum")


@given(prefix=digit_strings(12))
def test_ogrn_other_check_digit_rejected(prefix: str):
    value = make_ogrn(prefix)
    assert value[12] == ogrn_check_digit(prefix)
    for digit in other_digits(value[12]):
        assert_rejected(validate_ogrn, prefix + digit, MSG_OGRN_CHECKSUM, "ogrn_checksum")


@given(prefix=digit_strings(14))
def test_ogrnip_other_check_digit_rejected(prefix: str):
    value = make_ogrnip(prefix)
    assert value[14] == ogrnip_check_digit(prefix)
    for digit in other_digits(value[14]):
        assert_rejected(validate_ogrnip, prefix + digit, MSG_OGRNIP_CHECKSUM, "ogrnip_checksum")


@given(
    prefix=digit_strings(9).filter(lambda s: int(s) > 1_001_998),
    position=st.sampled_from([9, 10]),
)
def test_snils_other_check_digit_rejected(prefix: str, position: int):
    value = make_snils(prefix)
    for digit in other_digits(value[position]):
        wrong = value[:position] + digit + value[position + 1 :]
        assert_rejected(validate_snils, wrong, MSG_SNILS_CHECKSUM, "snils_checksum")


# --- arbitrary input never crashes ---------------------------------------------------------

ALL_VALIDATORS: list[tuple[Validator, Callable[[Any], bool]]] = [
    (validate_inn, is_valid_inn),
    (validate_inn_legal, is_valid_inn_legal),
    (validate_inn_person, is_valid_inn_person),
    (validate_ogrn, is_valid_ogrn),
    (validate_ogrnip, is_valid_ogrnip),
    (validate_kpp, is_valid_kpp),
    (validate_snils, is_valid_snils),
]

# Plain random text rarely reaches the checksum code, so also draw near-miss values.
arbitrary_text = st.one_of(
    st.text(),
    st.text(alphabet="0123456789", max_size=17),
    st.text(alphabet="0123456789 -–\u00a0", max_size=17),
    st.text(alphabet="0123456789ABZaz", min_size=9, max_size=9),
    st.text(alphabet="0٠١٢٣٤٥٦٧٨٩０１２３²", max_size=15),  # non-ASCII digits
)


@pytest.mark.parametrize(("validator", "is_valid"), ALL_VALIDATORS)
@given(value=arbitrary_text)
@example(value="\x00")
@example(value="0" * 11)
def test_arbitrary_text_is_accepted_or_raises_validation_error(
    validator: Validator, is_valid: Callable[[Any], bool], value: str
):
    try:
        result = validator(value)
    except ValidationError as error:
        assert error.code
        assert is_valid(value) is False
    else:
        assert result is None
        assert is_valid(value) is True


@pytest.mark.parametrize(("validator", "is_valid"), ALL_VALIDATORS)
@given(value=st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=15)))
def test_non_text_values_never_crash(
    validator: Validator, is_valid: Callable[[Any], bool], value: Any
):
    try:
        validator(value)
    except ValidationError:
        assert is_valid(value) is False


# --- cross-check against python-stdnum (ИНН only) ------------------------------------------

# stdnum strips spaces and maps fullwidth digits to ASCII before checking, and we
# deliberately do not. So the comparison uses text that stdnum's cleaning leaves unchanged.
stdnum_neutral_text = st.one_of(
    st.text(alphabet="0123456789", min_size=8, max_size=14),
    st.text(alphabet="0123456789AZaz./#", min_size=8, max_size=14),
    digit_strings(9).map(make_inn_legal),
    digit_strings(10).map(make_inn_person),
)


@given(value=stdnum_neutral_text)
@example(value="7707083893")
@example(value="500100732259")
def test_inn_agrees_with_stdnum(value: str):
    if value.strip("0") == "":
        # The one intended difference: stdnum accepts all-zero ИНН, we reject them.
        assert not is_valid_inn(value)
        return
    assert is_valid_inn(value) == stdnum_inn.is_valid(value)
    assert is_valid_inn_legal(value) == (len(value) == 10 and stdnum_inn.is_valid(value))
    assert is_valid_inn_person(value) == (len(value) == 12 and stdnum_inn.is_valid(value))


def test_stdnum_accepts_all_zero_inn_but_we_do_not():
    assert stdnum_inn.is_valid("0000000000")
    assert not is_valid_inn("0000000000")
