"""The payment QR code of GOST R 56042-2014 (ST00012: the fields in UTF-8)."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

import segno
from django.conf import settings

KOPECK = Decimal("0.01")


def _clean(value: object) -> str:
    """A field value: the separator «|» and line breaks would end the field early."""
    return " ".join(str(value).replace("|", " ").split())


def kopecks(amount: Decimal) -> int:
    return int(Decimal(amount).quantize(KOPECK, ROUND_HALF_UP) * 100)


def qr_payload(amount: Decimal, purpose: str) -> str:
    """`ST00012|Name=…|…|Sum=<kopecks>|Purpose=…` for the supplier of the settings."""
    supplier = settings.LKK_SUPPLIER
    fields = (
        ("Name", supplier["name"]),
        ("PersonalAcc", supplier["account"]),
        ("BankName", supplier["bank_name"]),
        ("BIC", supplier["bic"]),
        ("CorrespAcc", supplier["corr_account"]),
        ("PayeeINN", supplier["inn"]),
        ("KPP", supplier["kpp"]),
        ("Sum", kopecks(amount)),
        ("Purpose", purpose),
    )
    return "ST00012|" + "|".join(f"{key}={_clean(value)}" for key, value in fields)


def contract_purpose(contract, period_label: str = "") -> str:
    text = f"Оплата электроэнергии по договору № {contract.number}"
    return f"{text} за {period_label}" if period_label else text


def _code(payload: str) -> segno.QRCode:
    return segno.make(payload, encoding="utf-8", error="m", micro=False)


def qr_svg(payload: str, title: str = "") -> bytes:
    buffer = io.BytesIO()
    _code(payload).save(buffer, kind="svg", scale=4, border=4, title=title or None, xmldecl=False)
    return buffer.getvalue()


def qr_png_data_uri(payload: str) -> str:
    return _code(payload).png_data_uri(scale=4, border=4)
