"""Validators and check-digit generators for Russian identifiers.

Covered: ИНН (10-digit legal entity and 12-digit individual), ОГРН, ОГРНИП, КПП, СНИЛС.

Why these are hand-written and not taken from python-stdnum: stdnum's ОГРНИП check compares
the control digit with ``number % 13`` as a whole, so it rejects real ОГРНИП whose remainder
is 10–12. The registration rules take the last digit of the remainder. stdnum also has no
КПП or СНИЛС. These checks are short, and keeping them here lets every message be the
project's own Russian text.

Every ``validate_*`` function can be used directly as a Django field validator. It returns
``None`` or raises :class:`django.core.exceptions.ValidationError` with a stable ``code``
and a Russian message that names the identifier. The ``is_valid_*`` helpers give the same
answer as a bool. The ``make_*`` helpers add the check digit(s) to a prefix, so demo and
test data always pass validation.

Only ASCII digits ``0-9`` count as digits. ``str.isdigit`` and ``\\d`` also match "²",
"٣" and other Unicode digits, which ``int()`` either rejects or silently converts. That
would let a value through that the tax service would never accept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "inn_legal_check_digit",
    "inn_person_check_digits",
    "is_valid_inn",
    "is_valid_inn_legal",
    "is_valid_inn_person",
    "is_valid_kpp",
    "is_valid_ogrn",
    "is_valid_ogrnip",
    "is_valid_snils",
    "make_inn_legal",
    "make_inn_person",
    "make_ogrn",
    "make_ogrnip",
    "make_snils",
    "normalize_snils",
    "ogrn_check_digit",
    "ogrnip_check_digit",
    "snils_check_digits",
    "validate_inn",
    "validate_inn_legal",
    "validate_inn_person",
    "validate_kpp",
    "validate_ogrn",
    "validate_ogrnip",
    "validate_snils",
]

# ``fullmatch`` with explicit ASCII classes: ``$`` would accept a trailing "\n" and ``\d``
# would accept non-ASCII digits.
_DIGITS_RE = re.compile(r"[0-9]+")
# КПП: 4 digits (tax office code), 2 digits or capital Latin letters (reason code; letters
# are allowed since 2013), 3 digits (sequence number).
_KPP_RE = re.compile(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}")
# Separators people type in a СНИЛС: "123-456-789 01". Covers whitespace (including NBSP)
# and the hyphen/dash family that word processors substitute for "-".
_SNILS_SEPARATORS_RE = re.compile(r"[\s\-\u2010-\u2015\u2212]")

_INN_LEGAL_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_PERSON_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_PERSON_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)

# The Pension Fund defines the СНИЛС checksum only for numbers above 001-001-998. Smaller
# numbers were issued before the rule existed, so they are accepted with any control value.
_SNILS_CHECKED_ABOVE = 1_001_998


# --- helpers ------------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    """Return ``value`` as text. Django may pass non-strings, such as an int from a form."""
    return value if isinstance(value, str) else str(value)


def _is_digits(value: str, length: int | None = None) -> bool:
    return _DIGITS_RE.fullmatch(value) is not None and (length is None or len(value) == length)


def _is_all_zeros(value: str) -> bool:
    return value.strip("0") == ""


def _weighted_check_digit(digits: str, weights: Sequence[int]) -> str:
    """Weighted sum mod 11 mod 10: the ИНН scheme (a remainder of 10 becomes 0)."""
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    return str(total % 11 % 10)


def _require_prefix(prefix: str, length: int, what: str) -> None:
    """Reject a malformed prefix passed to a ``make_*`` generator.

    Raises ``ValueError`` rather than ``ValidationError``: a bad prefix is a programming
    error in the caller, not user input.
    """
    if not isinstance(prefix, str) or not _is_digits(prefix, length):
        raise ValueError(f"{what}: expected a string of {length} ASCII digits, got {prefix!r}")
    if _is_all_zeros(prefix):
        # An all-zero prefix always gets a zero check digit. The result is all zeros,
        # which the validators reject, so refuse to build it.
        raise ValueError(f"{what}: an all-zero prefix yields an invalid all-zero identifier")


def _boolean(validator: Callable[[Any], None], value: Any) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


# --- check digits -------------------------------------------------------------------------


def inn_legal_check_digit(prefix9: str) -> str:
    """Return the 10th (control) digit of a legal-entity ИНН, given its first 9 digits."""
    return _weighted_check_digit(prefix9, _INN_LEGAL_WEIGHTS)


def inn_person_check_digits(prefix10: str) -> str:
    """Return the 11th and 12th digits of an individual's ИНН, given its first 10 digits.

    The 12th digit's weights also cover the 11th digit, so the two must be computed in order.
    """
    d11 = _weighted_check_digit(prefix10, _INN_PERSON_WEIGHTS_11)
    d12 = _weighted_check_digit(prefix10 + d11, _INN_PERSON_WEIGHTS_12)
    return d11 + d12


def ogrn_check_digit(prefix12: str) -> str:
    """Return the 13th digit of an ОГРН: (first 12 digits as an integer) mod 11 mod 10."""
    return str(int(prefix12) % 11 % 10)


def ogrnip_check_digit(prefix14: str) -> str:
    """Return the 15th digit of an ОГРНИП: (first 14 digits as an integer) mod 13 mod 10.

    The rule takes the *last digit* of the remainder, so remainders 10–12 give 0–2.
    python-stdnum compares with the whole remainder and rejects those valid numbers.
    """
    return str(int(prefix14) % 13 % 10)


def snils_check_digits(prefix9: str) -> str:
    """Return the two control digits of a СНИЛС, given its first 9 digits.

    The sum is Σ digit[i] * (9 - i). Below 100 the sum itself is the control number. 100
    and 101 give 00. Above 101 the control number is the sum mod 101, where 100 gives 00.
    """
    total = sum(int(d) * (9 - i) for i, d in enumerate(prefix9))
    if total < 100:
        control = total
    elif total in (100, 101):
        control = 0
    else:
        control = total % 101
        if control == 100:
            control = 0
    return f"{control:02d}"


# --- generators for demo / test data ------------------------------------------------------


def make_inn_legal(prefix9: str) -> str:
    """Return a valid 10-digit ИНН: ``prefix9`` followed by its check digit."""
    _require_prefix(prefix9, 9, "make_inn_legal")
    return prefix9 + inn_legal_check_digit(prefix9)


def make_inn_person(prefix10: str) -> str:
    """Return a valid 12-digit ИНН: ``prefix10`` followed by its two check digits."""
    _require_prefix(prefix10, 10, "make_inn_person")
    return prefix10 + inn_person_check_digits(prefix10)


def make_ogrn(prefix12: str) -> str:
    """Return a valid 13-digit ОГРН: ``prefix12`` followed by its check digit.

    The first digit is not checked. Real ОГРН start with 1 or 5, so pass such a prefix if
    the data should look real.
    """
    _require_prefix(prefix12, 12, "make_ogrn")
    return prefix12 + ogrn_check_digit(prefix12)


def make_ogrnip(prefix14: str) -> str:
    """Return a valid 15-digit ОГРНИП: ``prefix14`` followed by its check digit.

    Real ОГРНИП start with 3.
    """
    _require_prefix(prefix14, 14, "make_ogrnip")
    return prefix14 + ogrnip_check_digit(prefix14)


def make_snils(prefix9: str) -> str:
    """Return a valid 11-digit СНИЛС (unformatted): ``prefix9`` followed by its control.

    The control is always computed, even for prefixes at or below 001-001-998, where the
    validator would accept any control value.
    """
    _require_prefix(prefix9, 9, "make_snils")
    return prefix9 + snils_check_digits(prefix9)


# --- validators ---------------------------------------------------------------------------


def _check_inn_legal(inn: str) -> None:
    if _is_all_zeros(inn):
        raise ValidationError(_("ИНН не может состоять из одних нулей"), code="inn_all_zeros")
    if inn[9] != inn_legal_check_digit(inn[:9]):
        raise ValidationError(_("ИНН: неверное контрольное число"), code="inn_checksum")


def _check_inn_person(inn: str) -> None:
    if _is_all_zeros(inn):
        raise ValidationError(_("ИНН не может состоять из одних нулей"), code="inn_all_zeros")
    if inn[10:] != inn_person_check_digits(inn[:10]):
        raise ValidationError(_("ИНН: неверное контрольное число"), code="inn_checksum")


def validate_inn(value: Any) -> None:
    """Validate an ИНН of either kind: 10 digits (organisation) or 12 digits (individual).

    Use this where both kinds are allowed, such as a counterparty's ИНН. Use the
    kind-specific validators when the form knows which kind it expects.
    """
    inn = _as_text(value)
    if not (_is_digits(inn) and len(inn) in (10, 12)):
        raise ValidationError(_("ИНН должен состоять из 10 или 12 цифр"), code="inn_format")
    if len(inn) == 10:
        _check_inn_legal(inn)
    else:
        _check_inn_person(inn)


def validate_inn_legal(value: Any) -> None:
    """Validate a legal entity's ИНН: exactly 10 digits with a valid check digit."""
    inn = _as_text(value)
    if not _is_digits(inn, 10):
        raise ValidationError(
            _("ИНН юридического лица должен состоять из 10 цифр"), code="inn_format"
        )
    _check_inn_legal(inn)


def validate_inn_person(value: Any) -> None:
    """Validate an individual's ИНН (also used by sole proprietors): 12 digits, 2 checks."""
    inn = _as_text(value)
    if not _is_digits(inn, 12):
        raise ValidationError(
            _("ИНН физического лица должен состоять из 12 цифр"), code="inn_format"
        )
    _check_inn_person(inn)


def validate_ogrn(value: Any) -> None:
    """Validate an ОГРН (state registration number of a legal entity): 13 digits."""
    ogrn = _as_text(value)
    if not _is_digits(ogrn, 13):
        raise ValidationError(_("ОГРН должен состоять из 13 цифр"), code="ogrn_format")
    if _is_all_zeros(ogrn):
        raise ValidationError(_("ОГРН не может состоять из одних нулей"), code="ogrn_all_zeros")
    if ogrn[12] != ogrn_check_digit(ogrn[:12]):
        raise ValidationError(_("ОГРН: неверное контрольное число"), code="ogrn_checksum")


def validate_ogrnip(value: Any) -> None:
    """Validate an ОГРНИП (registration number of a sole proprietor): 15 digits.

    Accepts remainders 10–12, which python-stdnum wrongly rejects; see
    :func:`ogrnip_check_digit`.
    """
    ogrnip = _as_text(value)
    if not _is_digits(ogrnip, 15):
        raise ValidationError(_("ОГРНИП должен состоять из 15 цифр"), code="ogrnip_format")
    if _is_all_zeros(ogrnip):
        raise ValidationError(_("ОГРНИП не может состоять из одних нулей"), code="ogrnip_all_zeros")
    if ogrnip[14] != ogrnip_check_digit(ogrnip[:14]):
        raise ValidationError(_("ОГРНИП: неверное контрольное число"), code="ogrnip_checksum")


def validate_kpp(value: Any) -> None:
    """Validate a КПП (tax registration reason code): 9 characters, no checksum.

    Positions 5–6 may be capital Latin letters. Lower case is rejected, not upper-cased:
    a validator must not change the value it checks, so normalising is the form's job.
    """
    kpp = _as_text(value)
    if _KPP_RE.fullmatch(kpp) is None:
        raise ValidationError(
            _(
                "КПП должен состоять из 9 символов: 4 цифры, 2 цифры или заглавные "
                "латинские буквы, 3 цифры"
            ),
            code="kpp_format",
        )
    if _is_all_zeros(kpp):
        raise ValidationError(_("КПП не может состоять из одних нулей"), code="kpp_all_zeros")


def normalize_snils(value: Any) -> str:
    """Remove the spaces and dashes of the printed form: "112-233-445 95" -> "11223344595".

    Does not check the result. Forms can use it to store the canonical 11-digit form that
    :func:`validate_snils` accepts.
    """
    return _SNILS_SEPARATORS_RE.sub("", _as_text(value))


def validate_snils(value: Any) -> None:
    """Validate a СНИЛС: 11 digits, either bare or formatted as "123-456-789 01".

    The control number is only checked for numbers above 001-001-998, following the
    Pension Fund rule. Numbers up to that value are accepted with any control digits.
    """
    snils = normalize_snils(value)
    if not _is_digits(snils, 11):
        raise ValidationError(_("СНИЛС должен состоять из 11 цифр"), code="snils_format")
    if _is_all_zeros(snils):
        raise ValidationError(_("СНИЛС не может состоять из одних нулей"), code="snils_all_zeros")
    number = snils[:9]
    if int(number) > _SNILS_CHECKED_ABOVE and snils[9:] != snils_check_digits(number):
        raise ValidationError(_("СНИЛС: неверное контрольное число"), code="snils_checksum")


# --- boolean helpers ----------------------------------------------------------------------


def is_valid_inn(value: Any) -> bool:
    """Return whether :func:`validate_inn` would accept ``value``."""
    return _boolean(validate_inn, value)


def is_valid_inn_legal(value: Any) -> bool:
    """Return whether :func:`validate_inn_legal` would accept ``value``."""
    return _boolean(validate_inn_legal, value)


def is_valid_inn_person(value: Any) -> bool:
    """Return whether :func:`validate_inn_person` would accept ``value``."""
    return _boolean(validate_inn_person, value)


def is_valid_ogrn(value: Any) -> bool:
    """Return whether :func:`validate_ogrn` would accept ``value``."""
    return _boolean(validate_ogrn, value)


def is_valid_ogrnip(value: Any) -> bool:
    """Return whether :func:`validate_ogrnip` would accept ``value``."""
    return _boolean(validate_ogrnip, value)


def is_valid_kpp(value: Any) -> bool:
    """Return whether :func:`validate_kpp` would accept ``value``."""
    return _boolean(validate_kpp, value)


def is_valid_snils(value: Any) -> bool:
    """Return whether :func:`validate_snils` would accept ``value`` (formatted or bare)."""
    return _boolean(validate_snils, value)
