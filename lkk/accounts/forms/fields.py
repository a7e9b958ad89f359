"""The fields every account form shares: one password field, one consent checkbox."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def password_field(
    label: str, autocomplete: str = "new-password", *, required_message: str | None = None
) -> forms.CharField:
    """A password input (no stripping, up to 128 characters, the show-password toggle)."""
    field = forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(
            attrs={"autocomplete": autocomplete, "data-password-toggle": "1"}
        ),
    )
    if required_message:
        field.error_messages["required"] = required_message
    return field


def consent_field() -> forms.BooleanField:
    """A8: its own checkbox; the templates link the label to the agreement."""
    return forms.BooleanField(
        label=_(
            "Я принимаю условия Пользовательского соглашения и даю согласие на обработку "
            "персональных данных"
        ),
        error_messages={
            "required": _("Без согласия с Пользовательским соглашением регистрация невозможна.")
        },
    )
