"""Forms of S3: the public search, a subscription, the operator's outage and CSV import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lkk.outages.models import Outage


class SearchForm(forms.Form):
    settlement = forms.CharField(label=_("Населённый пункт"), required=False, max_length=100)
    street = forms.CharField(label=_("Улица"), required=False, max_length=100)
    house = forms.CharField(label=_("Дом"), required=False, max_length=20)
    date_from = forms.DateField(
        label=_("С даты"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("По дату"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SubscriptionForm(forms.Form):
    settlement = forms.CharField(
        label=_("Населённый пункт"),
        max_length=200,
        error_messages={"required": _("Укажите населённый пункт.")},
    )
    street = forms.CharField(
        label=_("Улица"), max_length=200, error_messages={"required": _("Укажите улицу.")}
    )
    house = forms.CharField(
        label=_("Дом"), max_length=20, required=False, help_text=_("Пусто — вся улица.")
    )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class OutageForm(forms.ModelForm):
    class Meta:
        model = Outage
        fields = [
            "district",
            "settlement",
            "street",
            "houses",
            "starts_at",
            "ends_at",
            "reason",
            "published",
        ]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"]
            self.fields[name].error_messages["invalid"] = _(
                "Введите дату и время, например 01.12.2026 09:00."
            )

    def _post_clean(self) -> None:
        # The model's checks (its save() parses the houses) run in the service instead, whose
        # errors come back onto the fields.
        pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Файл CSV"),
        error_messages={"required": _("Выберите файл CSV.")},
        help_text=_(
            "Столбцы через «;»: район; населённый пункт; улица; дома; начало; окончание; "
            "причина. Первая строка — заголовки, как в шаблоне."
        ),
    )
    publish = forms.BooleanField(label=_("Сразу опубликовать"), required=False, initial=True)
