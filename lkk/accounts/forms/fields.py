"""The fields every account form shares: one password field, one consent checkbox."""

from __future__ import annotations

from django import forms
from django.forms import BoundField
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PasswordInput(forms.PasswordInput):
    """A password input with its show-password button (app.js switches the type)."""

    template_name = "accounts/widgets/password.html"


def password_field(
    label: str, autocomplete: str = "new-password", *, required_message: str | None = None
) -> forms.CharField:
    """A password input (no stripping, up to 128 characters, the show-password toggle)."""
    field = forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=PasswordInput(attrs={"autocomplete": autocomplete, "data-password-toggle": "1"}),
    )
    if required_message:
        field.error_messages["required"] = required_message
    return field


class ConsentField(forms.BooleanField):
    """A8: its own checkbox, whose label links to the agreement (rendered like any field)."""

    def get_bound_field(self, form: forms.Form, field_name: str) -> BoundField:
        bound = super().get_bound_field(form, field_name)
        bound.label = format_html(
            '{} <a href="{}" target="_blank" rel="noopener">{}</a> {}',
            gettext("Я принимаю условия"),
            reverse("accounts:agreement"),
            gettext("Пользовательского соглашения"),
            gettext("и даю согласие на обработку персональных данных"),
        )
        return bound


def consent_field() -> ConsentField:
    """A8: its own checkbox."""
    return ConsentField(
        label=_(
            "Я принимаю условия Пользовательского соглашения и даю согласие на обработку "
            "персональных данных"
        ),
        error_messages={
            "required": _("Без согласия с Пользовательским соглашением регистрация невозможна.")
        },
    )
