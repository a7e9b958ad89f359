from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lkk.connection.models import Category, ConnectionDocument, FixedFee, Purpose, Rate, Voltage
from lkk.connection.services import MAX_KW

POWER_ERRORS = {
    "required": _("Укажите максимальную мощность."),
    "invalid": _("Введите число, например 15 или 12,5."),
    "min_value": _("Мощность должна быть больше нуля."),
    "max_value": _("Мощность не может быть больше %(limit_value)s кВт."),
    "max_decimal_places": _("Не больше трёх знаков после запятой."),
    "max_digits": _("Слишком длинное число."),
    "max_whole_digits": _("Слишком длинное число."),
}
CHOICE_ERRORS = {
    "required": _("Выберите значение."),
    "invalid_choice": _("Выберите значение из списка."),
}


class CalculatorForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Вид присоединения"),
        choices=Purpose.choices,
        initial=Purpose.NEW,
        widget=forms.RadioSelect,
        error_messages=CHOICE_ERRORS,
    )
    power_kw = forms.DecimalField(
        label=_("Максимальная мощность, кВт"),
        help_text=_("Для увеличения — мощность с учётом ранее присоединённой."),
        min_value=Decimal("0.001"),
        max_value=MAX_KW,
        max_digits=10,
        decimal_places=3,
        localize=True,
        error_messages=POWER_ERRORS,
    )
    previous_kw = forms.DecimalField(
        label=_("Ранее присоединённая мощность, кВт"),
        help_text=_("Только для увеличения мощности."),
        required=False,
        min_value=Decimal("0.001"),
        max_value=MAX_KW,
        max_digits=10,
        decimal_places=3,
        localize=True,
        error_messages=POWER_ERRORS,
    )
    voltage = forms.ChoiceField(
        label=_("Уровень напряжения"),
        choices=Voltage.choices,
        initial=Voltage.LV,
        error_messages=CHOICE_ERRORS,
    )
    category = forms.ChoiceField(
        label=_("Категория надёжности"),
        choices=Category.choices,
        initial=Category.III,
        error_messages=CHOICE_ERRORS,
    )

    def clean(self):
        data = super().clean()
        if data.get("purpose") == Purpose.INCREASE:
            previous, power = data.get("previous_kw"), data.get("power_kw")
            if previous is None and "previous_kw" not in self.errors:
                self.add_error("previous_kw", _("Укажите ранее присоединённую мощность."))
            elif previous is not None and power is not None and previous >= power:
                self.add_error(
                    "power_kw",
                    _("Мощность после увеличения должна быть больше ранее присоединённой."),
                )
        return data


class RateForm(forms.ModelForm):
    class Meta:
        model = Rate
        fields = ["voltage", "category", "purpose", "per_kw", "vat_percent", "valid_from", "basis"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class FixedFeeForm(forms.ModelForm):
    class Meta:
        model = FixedFee
        fields = ["amount", "vat_percent", "max_kw", "valid_from", "basis"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class DocumentForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Файл PDF"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
    )

    class Meta:
        model = ConnectionDocument
        fields = ["kind"]

    def clean(self):
        data = super().clean()
        if not self.instance.file and not data.get("upload"):
            self.add_error("upload", _("Выберите файл PDF."))
        return data
