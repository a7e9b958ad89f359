"""The consent asked again after a new version of the agreement (A8)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConsentForm(forms.Form):
    accept = forms.BooleanField(
        label=_(
            "Я принимаю условия Пользовательского соглашения и даю согласие на обработку "
            "моих персональных данных"
        ),
        error_messages={"required": _("Без согласия пользоваться личным кабинетом нельзя.")},
    )
