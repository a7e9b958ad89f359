"""Forms of every registration way (A1–A3, A2a, A9, seed 003): one password field, one consent
field, one documents field; every identifier checked by its checksum on its field, with the
expected format under it (A2)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from lkk.accounts.forms.auth import captcha_field
from lkk.accounts.forms.fields import consent_field, password_field
from lkk.core import validators
from lkk.core.errors import ApplicationError
from lkk.core.uploads import CheckedUpload, uploads_check
from lkk.customers.models import Counterparty

#: At most this many documents per request, each and all together under these sizes.
DOCUMENTS_MAX_FILES = 5
DOCUMENTS_MAX_TOTAL = 20 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """«Документы» (доверенность, выписка, скан): PDF, JPEG or PNG, checked by content."""

    widget = MultipleFileInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Документы (доверенность, выписка, скан)"))
        kwargs.setdefault(
            "help_text",
            _(
                "PDF, JPEG или PNG, до 5 файлов, каждый до 10 МБ. Помогут оператору, если "
                "ваш адрес электронной почты не указан в договоре."
            ),
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png")

    def clean(self, data, initial=None) -> list[CheckedUpload]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        try:
            return uploads_check(
                files,
                max_bytes=settings.LKK_UPLOAD_MAX_BYTES,
                max_files=DOCUMENTS_MAX_FILES,
                max_total=DOCUMENTS_MAX_TOTAL,
            )
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


def _digits(value: str) -> str:
    return "".join(value.split())


def _identifier(label, hint) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        help_text=hint,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class _RegistrationForm(forms.Form):
    """The password pair and the consent checkbox, shared by the registration forms."""

    password1 = password_field(_("Пароль"))
    password2 = password_field(_("Повтор пароля"))
    consent = consent_field()


class ContractRegistrationForm(_RegistrationForm):
    """A1 (seed 000): «Регистрация в личном кабинете небытового потребителя»."""

    inn = _identifier(_("ИНН потребителя"), _("10 цифр для организации, 12 — для ИП и граждан"))
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
    phone = forms.CharField(
        label=_("Номер мобильного телефона"), max_length=30, help_text=_("+7 и 10 цифр")
    )


class _LegalFormBase(_RegistrationForm):
    """A2: documents for the operator, and seed 001's image captcha «Я не робот»."""

    documents = DocumentsField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["captcha"] = captcha_field()
        self.fields["captcha"].label = _("Я не робот: введите код с картинки")
        self.order_fields([*self.field_order, "documents", "captcha", "consent"])


class LegalRegistrationForm(_LegalFormBase):
    """A2, «Юридическое лицо»: ИНН + ОГРН (or КПП) + email + password."""

    inn = _identifier(_("ИНН"), _("10 цифр"))
    ogrn = _identifier(_("ОГРН"), _("13 цифр"))
    kpp = _identifier(_("КПП"), _("9 цифр"))
    email = forms.EmailField(label=_("Адрес электронной почты"), max_length=254)
    field_order = ["inn", "ogrn", "kpp", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ogrn"].required = False
        self.fields["kpp"].required = False

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


class EntrepreneurRegistrationForm(_LegalFormBase, _PersonFields):
    """A2, «Индивидуальный предприниматель»: ОГРНИП + ФИО + email + phone + password."""

    ogrnip = _identifier(_("ОГРНИП"), _("15 цифр"))
    field_order = ["ogrnip", "last_name", "first_name", "middle_name", "email", "phone",
                   "password1", "password2"]  # fmt: skip

    def clean_ogrnip(self) -> str:
        value = _digits(self.cleaned_data["ogrnip"])
        validators.validate_ogrnip(value)
        return value


class PersonRegistrationForm(_LegalFormBase, _PersonFields):
    """A2, «Физическое лицо»: СНИЛС + ФИО + email + phone + password."""

    snils = _identifier(_("СНИЛС"), _("11 цифр, например 123-456-789 01"))
    field_order = ["snils", "last_name", "first_name", "middle_name", "email", "phone",
                   "password1", "password2"]  # fmt: skip

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


# --- Seed 003: «Регистрация пользователя» -------------------------------------------------------


class SignupForm(forms.Form):
    """«Регистрация пользователя»."""

    username = forms.CharField(
        label=_("Логин"),
        max_length=150,
        validators=[
            RegexValidator(
                r"^[\w.\-]+\Z", _("Логин может содержать только буквы, цифры и знаки . _ -")
            )
        ],
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(label=_("Адрес электронной почты"), max_length=254)
    phone = forms.CharField(label=_("Номер телефона"), max_length=20, required=False)
    password1 = password_field(_("Пароль"))
    password2 = password_field(_("Подтверждение пароля"))
    consent = consent_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["captcha"] = captcha_field()
        self.fields["captcha"].label = _("Код авторизации")
        self.order_fields(
            ["username", "email", "phone", "password1", "password2", "captcha", "consent"]
        )


# --- Seed 002: three steps ----------------------------------------------------------------------


class Step1Form(forms.Form):
    """«Шаг 1. Данные аккаунта»."""

    username = forms.CharField(
        label=_("Логин"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    email = forms.EmailField(label=_("Электронная почта"), max_length=254)
    password1 = password_field(_("Пароль"))
    password2 = password_field(_("Повторите пароль"))

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # the password is kept unless a new one is typed
            self.fields["password1"].required = False
            self.fields["password2"].required = False
        self.fields["captcha"] = captcha_field()


class Step2Form(forms.Form):
    """«Шаг 2. Личная информация»."""

    first_name = forms.CharField(label=_("Имя"), max_length=150)
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    middle_name = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Контактный телефон"), max_length=20, help_text=_("+7 и 10 цифр")
    )


class Step3Form(forms.Form):
    """«Шаг 3. Информация о компании»; the contract numbers are read by the view."""

    company_kind = forms.ChoiceField(label=_("Тип организации"), choices=Counterparty.Kind)
    inn = forms.RegexField(
        label=_("ИНН"),
        regex=r"^\d{10}(\d{2})?$",
        help_text=_("10 цифр для организации, 12 — для ИП"),
        error_messages={"invalid": _("ИНН состоит из 10 или 12 цифр.")},
    )
    kpp = forms.RegexField(
        label=_("КПП"),
        regex=r"^\d{9}$",
        required=False,
        help_text=_("9 цифр"),
        error_messages={"invalid": _("КПП состоит из 9 цифр.")},
    )
    company_name = forms.CharField(label=_("Наименование организации"), max_length=500)
    existing_counterparty = forms.BooleanField(label=_("Действующий контрагент"), required=False)
    documents = DocumentsField()
    consent = consent_field()


STEP_FORMS = {"1": Step1Form, "2": Step2Form, "3": Step3Form}


# --- A9: «Привязать договор» --------------------------------------------------------------------


class BindingForm(forms.Form):
    inn = _identifier(_("ИНН потребителя"), _("10 цифр для организации, 12 — для ИП и граждан"))
    contract_number = forms.CharField(label=_("Номер договора энергоснабжения"), max_length=50)
    contact = forms.CharField(
        label=_("Адрес электронной почты или номер мобильного телефона, указанные в договоре"),
        max_length=255,
    )

    def clean_inn(self) -> str:
        value = _digits(self.cleaned_data["inn"])
        validators.validate_inn(value)
        return value


# --- A2a: the account issued at the office, and its activation ----------------------------------


class ActivationForm(forms.Form):
    """The customer sets the password of an account issued at the office."""

    password1 = password_field(_("Пароль"))
    password2 = password_field(_("Повтор пароля"))
    consent = consent_field()


class ActivationCodeForm(ActivationForm):
    """The same, for a customer who has the code of the message but not the link."""

    username = forms.CharField(label=_("Логин"), max_length=150)
    code = forms.CharField(
        label=_("Код активации"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    field_order = ["username", "code", "password1", "password2", "consent"]
