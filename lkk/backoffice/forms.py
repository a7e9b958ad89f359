"""Forms of the back office: the decision on a registration request, the account issued at the
office (A2a)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lkk.core import validators

SCOPES = [("all", _("Все договоры контрагента")), ("some", _("Только выбранные договоры"))]


class ApproveForm(forms.Form):
    """«Одобрить»: all contracts of the counterparty or the chosen ones."""

    scope = forms.ChoiceField(
        label=_("Доступ"),
        choices=SCOPES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Выберите, какие договоры открыть.")},
    )
    contracts = forms.TypedMultipleChoiceField(
        label=_("Договоры"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, contract_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contracts"].choices = contract_choices


class RejectForm(forms.Form):
    """«Отклонить» with the reason the customer is told."""

    reason = forms.CharField(
        label=_("Причина отказа"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Укажите причину отказа.")},
    )


class CounterpartySearchForm(forms.Form):
    inn = forms.CharField(label=_("ИНН контрагента"), max_length=20, help_text=_("10 или 12 цифр"))

    def clean_inn(self) -> str:
        value = "".join(self.cleaned_data["inn"].split())
        validators.validate_inn(value)
        return value


class OfficeIssueForm(forms.Form):
    """A2a: the contracts the customer showed documents for, and a contact billing holds."""

    scope = forms.ChoiceField(
        label=_("Доступ"),
        choices=SCOPES,
        initial="some",
        widget=forms.RadioSelect,
    )
    contracts = forms.TypedMultipleChoiceField(
        label=_("Договоры"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    contact = forms.ChoiceField(
        label=_("Контакт из данных биллинга для ссылки активации"),
        help_text=_(
            "Ссылка и код активации уйдут на этот адрес или телефон; пароль не отправляется."
        ),
    )
    username = forms.CharField(
        label=_("Логин"),
        max_length=150,
        required=False,
        help_text=_("Пусто — логином будет адрес электронной почты."),
    )

    def __init__(self, *args, contract_choices, contact_choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contracts"].choices = contract_choices
        self.fields["contact"].choices = contact_choices

    def clean(self) -> dict:
        data = super().clean()
        if data.get("scope") == "some" and not data.get("contracts"):
            self.add_error("contracts", _("Выберите хотя бы один договор."))
        return data
