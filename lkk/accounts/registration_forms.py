"""Forms of self-registration (A1, A2): every identifier checked by its checksum on its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lkk.core import validators


def password_field(label: str, autocomplete: str = "new-password") -> forms.CharField:
    """A password input as every registration form has it (no stripping, 128 characters)."""
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def _digits(value: str) -> str:
    return "".join(value.split())


class _RegistrationForm(forms.Form):
    """The password pair and the consent checkbox (A8), shared by all registration forms."""

    password1 = password_field(_("Пароль"))
    password2 = password_field(_("Повтор пароля"))
    # A8: its own checkbox; the template links the label to the agreement.
    consent = forms.BooleanField(
        label=_(
            "Я принимаю условия Пользовательского соглашения и даю согласие на обработку "
            "персональных данных"
        ),
        error_messages={
            "required": _("Без согласия с Пользовательским соглашением регистрация невозможна.")
        },
    )


class ContractRegistrationForm(_RegistrationForm):
    """A1 (seed 000): «Регистрация в личном кабинете небытового потребителя»."""

    inn = forms.CharField(label=_("ИНН потребителя"), max_length=20)
    contract_number = forms.CharField(label=_("Номер договора энергоснабжения"), max_length=50)
    contact = forms.CharField(
        label=_("Адрес электронной почты или номер мобильного телефона, указанные в договоре"),
        max_length=255,
    )
    field_order = ["inn", "contract_number", "password1", "password2", "contact", "consent"]

    def clean_inn(self) -> str:
        value = _digits(self.cleaned_data["inn"])
        validators.validate_inn(value)
        return value


class _PersonFields(forms.Form):
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    first_name = forms.CharField(label=_("Имя"), max_length=150)
    middle_name = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    email = forms.EmailField(label=_("Адрес электронной почты"), max_length=254)
    phone = forms.CharField(label=_("Номер мобильного телефона"), max_length=30)


class LegalRegistrationForm(_RegistrationForm):
    """A2, «Юридическое лицо»: ИНН + ОГРН (or КПП) + email + password."""

    inn = forms.CharField(label=_("ИНН"), max_length=20)
    ogrn = forms.CharField(label=_("ОГРН"), max_length=20, required=False)
    kpp = forms.CharField(label=_("КПП"), max_length=20, required=False)
    email = forms.EmailField(label=_("Адрес электронной почты"), max_length=254)
    field_order = ["inn", "ogrn", "kpp", "email", "password1", "password2", "consent"]

    def clean_inn(self) -> str:
        value = _digits(self.cleaned_data["inn"])
        validators.validate_inn_legal(value)
        return value

    def clean_ogrn(self) -> str:
        value = _digits(self.cleaned_data["ogrn"])
        if value:
            validators.validate_ogrn(value)
        return value

    def clean_kpp(self) -> str:
        value = _digits(self.cleaned_data["kpp"])
        if value:
            validators.validate_kpp(value)
        return value

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not data.get("ogrn") and not data.get("kpp"):
            self.add_error("ogrn", _("Укажите ОГРН или КПП."))
        return data


class EntrepreneurRegistrationForm(_RegistrationForm, _PersonFields):
    """A2, «Индивидуальный предприниматель»: ОГРНИП + ФИО + email + phone + password."""

    ogrnip = forms.CharField(label=_("ОГРНИП"), max_length=20)
    field_order = ["ogrnip", "last_name", "first_name", "middle_name", "email", "phone",
                   "password1", "password2", "consent"]  # fmt: skip

    def clean_ogrnip(self) -> str:
        value = _digits(self.cleaned_data["ogrnip"])
        validators.validate_ogrnip(value)
        return value


class PersonRegistrationForm(_RegistrationForm, _PersonFields):
    """A2, «Физическое лицо»: СНИЛС + ФИО + email + phone + password."""

    snils = forms.CharField(label=_("СНИЛС"), max_length=20)
    field_order = ["snils", "last_name", "first_name", "middle_name", "email", "phone",
                   "password1", "password2", "consent"]  # fmt: skip

    def clean_snils(self) -> str:
        value = self.cleaned_data["snils"]
        validators.validate_snils(value)
        return validators.normalize_snils(value)


LEGAL_FORMS = {
    "ul": (LegalRegistrationForm, _("Юридическое лицо")),
    "ip": (EntrepreneurRegistrationForm, _("Индивидуальный предприниматель")),
    "fl": (PersonRegistrationForm, _("Физическое лицо")),
}


class RegistrationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Код подтверждения"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
