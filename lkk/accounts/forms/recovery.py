"""Forms of «Забыли пароль?» (A7): who, then the code and the new password."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lkk.accounts.forms.auth import captcha_field
from lkk.accounts.forms.fields import password_field
from lkk.accounts.services import throttle
from lkk.accounts.services.codes import normalize_phone
from lkk.core import validators
from lkk.core.errors import ApplicationError


class RecoveryRequestForm(forms.Form):
    """Who: a login, an email, a phone, an ИНН with a contract number, or a login with the
    email of the account (seed 003). The captcha after LKK_RECOVERY_CAPTCHA_AFTER requests
    from the visitor's address within an hour."""

    identifier = forms.CharField(
        label=gettext_lazy("Логин, email, телефон или ИНН"),
        max_length=254,
        error_messages={"required": gettext_lazy("Введите логин, email, телефон или ИНН.")},
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    contract_number = forms.CharField(
        label=gettext_lazy("Номер договора"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("Только если в первом поле указан ИНН."),
    )
    email = forms.EmailField(
        label=gettext_lazy("Email из учётной записи"),
        max_length=254,
        required=False,
        help_text=gettext_lazy("Можно указать вместе с логином: тогда код придёт на этот адрес."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: object, request: HttpRequest, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if throttle.recovery_captcha_required(request):
            self.fields["captcha"] = captcha_field()

    def clean(self) -> dict:
        data = super().clean()
        identifier = (data.get("identifier") or "").strip()
        number = (data.get("contract_number") or "").strip()
        compact = "".join(identifier.split())
        pair = bool(data.get("email"))  # the login + email pair: whatever the login looks like
        if number and pair:
            self.add_error("email", _("Укажите либо номер договора с ИНН, либо email с логином."))
        if pair:
            return data
        if number:
            try:
                validators.validate_inn(compact)
            except ValidationError:
                self.add_error(
                    "identifier",
                    _("С номером договора укажите ИНН: 10 или 12 цифр."),
                )
        elif compact.isdigit() and len(compact) in (10, 12) and not _is_phone(compact):
            self.add_error("contract_number", _("По ИНН укажите и номер договора."))
        return data


def _is_phone(value: str) -> bool:
    try:
        normalize_phone(value)
    except ApplicationError:
        return False
    return True


class RecoveryConfirmForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Код из сообщения"),
        max_length=20,
        error_messages={"required": gettext_lazy("Введите код из сообщения.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    new_password1 = password_field(
        gettext_lazy("Новый пароль"), required_message=gettext_lazy("Введите новый пароль.")
    )
    new_password2 = password_field(
        gettext_lazy("Повтор пароля"), required_message=gettext_lazy("Повторите новый пароль.")
    )

    def __init__(self, *args: object, with_code: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]

    def clean(self) -> dict:
        data = super().clean()
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("Пароли не совпадают."))
        return data
