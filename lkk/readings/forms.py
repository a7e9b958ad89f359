"""The «Передача показаний» form: a field per meter and tariff zone, built from the meters."""

from __future__ import annotations

import functools
import uuid

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lkk.core import formats
from lkk.customers.models import ZONES_BY_TARIFF, Meter
from lkk.readings.services import MeterInput, MeterVerdict


def value_field_name(meter_id: int, zone: str) -> str:
    return f"m{meter_id}_{zone}"


def confirm_field_name(meter_id: int) -> str:
    return f"m{meter_id}_confirm"


class _ValueInput(forms.TextInput):
    def __init__(self) -> None:
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off"})


class _ValueField(forms.CharField):
    """A zone's value: text (the rules judge it), at most 30 characters, not required.

    Its widget is a class, made per field: a widget instance given to a field is deep-copied,
    and a form of 50 meters has up to 150 of these.
    """

    widget = _ValueInput

    def __init__(self, label: str) -> None:
        super().__init__(label=label, required=False, max_length=30)


@functools.lru_cache(maxsize=16)
def _zone_labels(tariff_zones: int, language: str | None) -> dict[str, str]:
    """zone → «Т1 (День)» for a meter of `tariff_zones` (Meter.get_zone_label), per language."""
    meter = Meter(tariff_zones=tariff_zones)
    return {zone: meter.get_zone_label(zone) for zone in ZONES_BY_TARIFF[tariff_zones]}


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
        language = get_language()
        for meter in meters:
            labels = _zone_labels(meter.tariff_zones, language)
            for zone in meter.zones:
                self.fields[value_field_name(meter.pk, zone)] = _ValueField(labels[zone])
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
