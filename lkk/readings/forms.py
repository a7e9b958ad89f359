"""The «Передача показаний» form: a field per meter and tariff zone, built from the meters."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from lkk.core import formats
from lkk.customers.models import Meter
from lkk.readings.services import MeterInput, MeterVerdict


def value_field_name(meter_id: int, zone: str) -> str:
    return f"m{meter_id}_{zone}"


def confirm_field_name(meter_id: int) -> str:
    return f"m{meter_id}_confirm"


class ReadingsForm(forms.Form):
    """One text field per (meter, zone) and a confirmation checkbox per meter.

    The fields only carry text; the rules (digits, previous value, window…) are the service's,
    and their verdicts come back onto these fields with `apply_verdicts`.
    """

    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: object, meters: list[Meter], **kwargs: object) -> None:
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.meters = meters
        self.to_confirm: set[int] = set()  # meters whose values wait for a confirmation
        for meter in meters:
            for zone in meter.zones:
                self.fields[value_field_name(meter.pk, zone)] = forms.CharField(
                    label=meter.get_zone_label(zone),
                    required=False,
                    max_length=30,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                )
            self.fields[confirm_field_name(meter.pk)] = forms.BooleanField(
                required=False, label=_("Подтверждаю показания этого прибора учёта")
            )
        self.fields["token"].error_messages["invalid"] = _("Форма устарела. Откройте её заново.")
        self.fields["token"].error_messages["required"] = _("Форма устарела. Откройте её заново.")

    def inputs(self) -> list[MeterInput]:
        data = self.cleaned_data
        inputs = []
        for meter in self.meters:
            values = {zone: data.get(value_field_name(meter.pk, zone), "") for zone in meter.zones}
            confirmed = bool(data.get(confirm_field_name(meter.pk)))
            inputs.append(MeterInput(meter=meter, values=values, confirmed=confirmed))
        return inputs

    def apply_verdicts(self, verdicts: list[MeterVerdict]) -> None:
        for verdict in verdicts:
            meter_id = verdict.meter.pk
            for zone in verdict.zones:
                if zone.error:
                    self.add_error(value_field_name(meter_id, zone.zone), zone.error)
                elif zone.confirm:
                    self.add_error(value_field_name(meter_id, zone.zone), zone.confirm)
                    self.to_confirm.add(meter_id)
            if verdict.error:
                first_zone = verdict.meter.zones[0]
                self.add_error(value_field_name(meter_id, first_zone), verdict.error)


class CorrectionForm(forms.Form):
    """New values for the readings of one receipt."""

    confirm = forms.BooleanField(
        required=False, label=_("Подтверждаю показания (если их нужно подтвердить)")
    )

    def __init__(self, *args: object, readings: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.readings = readings
        for reading in readings:
            self.fields[f"r{reading.pk}"] = forms.CharField(
                label=f"{reading.meter.serial_number} · {reading.get_zone_display()}",
                max_length=30,
                initial=formats.ungroup(
                    formats.reading(reading.value, reading.meter.decimal_places)
                ),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                error_messages={"required": _("Введите показание.")},
            )

    def values(self) -> dict[int, str]:
        return {r.pk: self.cleaned_data.get(f"r{r.pk}", "") for r in self.readings}

    def apply_verdicts(self, verdicts: list[MeterVerdict]) -> None:
        by_key = {(r.meter_id, r.zone): r for r in self.readings}
        for verdict in verdicts:
            for zone in verdict.zones:
                message = zone.error or zone.confirm
                if message:
                    self.add_error(f"r{by_key[(verdict.meter.pk, zone.zone)].pk}", message)
            if verdict.error:
                reading = by_key[(verdict.meter.pk, verdict.meter.zones[0])]
                self.add_error(f"r{reading.pk}", verdict.error)
