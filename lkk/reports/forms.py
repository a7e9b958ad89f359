from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from lkk.billing.selectors import month_start
from lkk.customers.models import Contract
from lkk.reports.models import Report

MAX_MONTHS = 36


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ReportOrderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Вид отчёта"), choices=Report.Kind.choices,
                             widget=forms.RadioSelect)  # fmt: skip
    counterparty = forms.TypedChoiceField(label=_("Контрагент"), coerce=int)
    start = forms.DateField(label=_("С месяца"), widget=DateInput())
    end = forms.DateField(label=_("По месяц"), widget=DateInput())
    contracts = forms.TypedMultipleChoiceField(
        label=_("Договоры"),
        coerce=int,
        required=False,
        help_text=_("Не выбрано ни одного — отчёт по всем договорам контрагента."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, user, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from lkk.customers.access import access_scope

        scope = access_scope(user)
        counterparties = [
            (pk, name) for pk, name, _kind in scope.all_counterparties
            if pk in scope.counterparty_ids
        ]  # fmt: skip
        self.fields["counterparty"].choices = counterparties
        contracts = Contract.objects.visible_to(user).order_by("number")
        self._contracts = {
            pk: (number, cp) for pk, number, cp in
            contracts.values_list("pk", "number", "counterparty_id")
        }  # fmt: skip
        self.fields["contracts"].choices = [(pk, v[0]) for pk, v in self._contracts.items()]
        if counterparties:
            self.fields["counterparty"].initial = counterparties[0][0]
        if len(counterparties) <= 1:
            self.fields["counterparty"].widget = forms.HiddenInput()
        self.fields["start"].initial = month_start(today, 11)
        self.fields["end"].initial = month_start(today)
        self.fields["kind"].initial = Report.Kind.CONSUMPTION

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            start, end = month_start(start), month_start(end)
            if start > end:
                self.add_error("end", _("Конец периода раньше его начала."))
            elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                self.add_error("end", _("Период отчёта — не больше 36 месяцев."))
            data["start"], data["end"] = start, end
        counterparty = data.get("counterparty")
        for pk in data.get("contracts") or []:
            if self._contracts[pk][1] != counterparty:
                self.add_error("contracts", _("Выберите договоры выбранного контрагента."))
                break
        return data
