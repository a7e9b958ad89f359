"""The meters of «Передача показаний», written in Python (lkk.core.rows says why).

Through the template engine each meter's fieldset cost ~1.5 ms: a crispy-forms field template
with five includes per input, the widget's own templates, the previous reading's template.
`fieldsets()` writes the same HTML from the form's bound fields: the same names, ids, values,
labels, classes, errors and help texts, tied to the input as Django ties them
(aria-describedby="<id>_helptext <id>_error", aria-invalid) and as lkk/templates/bootstrap5/
field.html lays them out. tests/…/test_rows.py renders both ways and compares them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.forms import BoundField
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lkk.core import formats
from lkk.core.rows import day, e, plain
from lkk.customers.models import Meter
from lkk.readings.forms import ReadingsForm, confirm_field_name, value_field_name
from lkk.readings.rules import ZoneHistory


@dataclass
class MeterRow:
    """What a meter's fieldset shows besides its fields."""

    meter: Meter
    refusal: str  # why it takes no reading (then no fields)
    warning: str  # accepted, but the customer should know


def _errors(field: BoundField) -> str:
    errors = field.errors
    return " ".join(e(error) for error in errors) if errors else ""


def _text_input(field: BoundField, help_text: str, *, disabled: bool) -> str:
    """One zone's input as field.html draws a text field: label, input, errors, help text."""
    auto_id, errors = field.auto_id, _errors(field)
    value = field.value()
    value = "" if value is None or value == "" else f' value="{e(value)}"'
    invalid = ' aria-invalid="true"' if errors else ""
    described = f"{auto_id}_helptext {auto_id}_error" if errors else f"{auto_id}_helptext"
    error = (
        f'<div class="invalid-feedback d-block" id="{auto_id}_error">{errors}</div>'
        if errors
        else ""
    )
    return (
        f'<div class="col-12 col-md-4"><div id="div_{auto_id}" class="mb-3">'
        f'<label for="{auto_id}" class="form-label">{e(field.label)}</label>'
        f'<input type="text" name="{field.html_name}"{value} inputmode="decimal"'
        f' autocomplete="off" maxlength="30"{" disabled" if disabled else ""}'
        f' class="textinput form-control{" is-invalid" if errors else ""}"{invalid}'
        f' aria-describedby="{described}" id="{auto_id}">'
        f'{error}<div id="{auto_id}_helptext" class="form-text">{help_text}</div></div></div>'
    )


def _checkbox(field: BoundField) -> str:
    """The meter's confirmation as field.html draws a checkbox."""
    auto_id, errors = field.auto_id, _errors(field)
    attrs = f' aria-invalid="true" aria-describedby="{auto_id}_error"' if errors else ""
    checked = " checked" if field.field.widget.check_test(field.value()) else ""
    error = (
        f'<div class="invalid-feedback d-block" id="{auto_id}_error">{errors}</div>'
        if errors
        else ""
    )
    return (
        f'<div id="div_{auto_id}" class="form-check mb-3">'
        f'<input type="checkbox" name="{field.html_name}"'
        f' class="checkboxinput form-check-input{" is-invalid" if errors else ""}"{attrs}'
        f' id="{auto_id}"{checked}>'
        f'<label for="{auto_id}" class="form-check-label">{e(field.label)}</label>{error}</div>'
    )


def hidden_input(field: BoundField) -> SafeString:
    """A hidden field (the form's one-time token) as Django's HiddenInput draws it."""
    value = field.value()
    value = "" if value is None or value == "" else f' value="{e(value)}"'
    return SafeString(f'<input type="hidden" name="{field.html_name}"{value} id="{field.auto_id}">')


class _Previous:
    """The help text under a zone's input: the point's last reading, today's if given."""

    def __init__(self) -> None:
        self.replaced = e(_("Прибор заменён; последнее показание прежнего"))
        self.previous = e(_("Предыдущее"))
        self.of = e(_("от"))
        self.none = e(_("Предыдущих показаний нет"))
        self.today = e(_("на сегодня уже передано"))

    def __call__(self, meter: Meter, history: ZoneHistory) -> str:
        previous, places = history.previous, meter.decimal_places or 0
        if previous is None:
            text = self.none
        else:
            what = self.previous if previous.meter_id == meter.pk else self.replaced
            text = (
                f'{what}: <span data-testid="previous">'
                f"{e(formats.reading(previous.value, places))}</span>"
                f" {self.of} {day(previous.read_on)}"
            )
        if history.today is not None:
            value = e(formats.reading(history.today.value, places))
            text += f" · <strong>{self.today}: {value}</strong>"
        return text


def fieldsets(
    form: ReadingsForm,
    rows: Iterable[MeterRow],
    histories: dict[tuple[int, str], ZoneHistory],
    *,
    window_open: bool,
) -> SafeString:
    """A fieldset per meter: what it is and where, its refusal or warning, then its inputs."""
    previous = _Previous()
    point_title, ratio_title = e(_("Точка учёта")), e(_("Коэфф. трансформации"))
    legend_text = _("Прибор учёта %(model)s № %(serial)s")
    to_confirm = form.to_confirm
    html = []
    for row in rows:
        meter = row.meter
        pk, point = meter.pk, meter.metering_point
        legend = legend_text % {
            "model": e(meter.model),
            "serial": e(meter.serial_number),
        }
        ratio = (
            f" · {ratio_title} {plain(meter.transformation_ratio)}"
            if meter.transformation_ratio > 1
            else ""
        )
        html.append(
            f'<fieldset class="border rounded p-2 mb-2" aria-describedby="m{pk}_about">'
            f'<legend class="fs-6 fw-semibold mb-1">{legend}</legend>'
            f'<div class="small text-body-secondary" id="m{pk}_about">{point_title}'
            f" {e(point.code)} · {e(point.address)}{ratio}</div>"
        )
        if row.refusal:
            html.append(
                '<div class="alert alert-secondary py-1 px-2 my-2 small" role="note">'
                f"{e(row.refusal)}</div>"
            )
        else:
            if row.warning:
                html.append(
                    '<div class="alert alert-warning py-1 px-2 my-2 small" role="note">'
                    f"{e(row.warning)}</div>"
                )
            html.append('<div class="row g-2 mt-1">')
            for zone in meter.zones:
                html.append(
                    _text_input(
                        form[value_field_name(pk, zone)],
                        previous(meter, histories[(pk, zone)]),
                        disabled=not window_open,
                    )
                )
            html.append("</div>")
            confirm = form[confirm_field_name(pk)]
            if pk in to_confirm or confirm.value():
                html.append(_checkbox(confirm))
        html.append("</fieldset>")
    return SafeString("".join(html))
