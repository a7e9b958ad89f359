"""The meters of «Передача показаний» written in Python (lkk/readings/rows.py) are the HTML the
crispy-forms field template drew: the same inputs (names, ids, values, attributes, classes),
labels, errors and help texts tied to them, refusals and warnings — on a first visit, after a
refused POST, with the window closed, in both languages.

The reference below is the page's former template loop and the previous reading's template,
rendered through crispy-forms and lkk/templates/bootstrap5/field.html as before.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertHTMLEqual

from lkk.customers.models import Contract, Meter, MeteringPoint, TariffZones
from lkk.customers.tests.factories import MeterFactory, ReadingFactory
from lkk.readings import rows as readings_rows
from lkk.readings import rules, selectors, views
from lkk.readings.forms import ReadingsForm, confirm_field_name, value_field_name
from lkk.readings.models import Reading

TODAY = dt.date(2026, 11, 20)

PREVIOUS = Template(
    '{% load i18n numbers %}{% if previous %}{% if replaced %}{% translate "Прибор заменён; '
    'последнее показание прежнего" %}{% else %}{% translate "Предыдущее" %}{% endif %}: '
    '<span data-testid="previous">{{ previous.value|reading:meter }}</span> {% translate "от" %}'
    ' {{ previous.read_on|date:"d.m.Y" }}{% else %}{% translate "Предыдущих показаний нет" %}'
    "{% endif %}{% if today %} · <strong>{% translate "
    '"на сегодня уже передано" %}: {{ today.value|reading:meter }}</strong>{% endif %}'
)

FIELDSETS = Template(
    """{% load i18n crispy_forms_tags %}{% for row in rows %}{% with meter=row.meter %}
    <fieldset class="border rounded p-2 mb-2" aria-describedby="m{{ meter.pk }}_about">
      <legend class="fs-6 fw-semibold mb-1">{% blocktranslate with serial=meter.serial_number model=meter.model %}Прибор учёта {{ model }} № {{ serial }}{% endblocktranslate %}</legend>
      <div class="small text-body-secondary" id="m{{ meter.pk }}_about">{% translate "Точка учёта" %} {{ meter.metering_point.code }} · {{ meter.metering_point.address }}{% if meter.transformation_ratio > 1 %} · {% translate "Коэфф. трансформации" %} {{ meter.transformation_ratio }}{% endif %}</div>
      {% if row.refusal %}
        <div class="alert alert-secondary py-1 px-2 my-2 small" role="note">{{ row.refusal }}</div>
      {% else %}
        {% if row.warning %}<div class="alert alert-warning py-1 px-2 my-2 small" role="note">{{ row.warning }}</div>{% endif %}
        <div class="row g-2 mt-1">
          {% for z in row.zones %}
          <div class="col-12 col-md-4">{{ z.field|as_crispy_field }}</div>
          {% endfor %}
        </div>
        {% if row.needs_confirm or row.confirm.value %}
        {{ row.confirm|as_crispy_field }}
        {% endif %}
      {% endif %}
    </fieldset>
    {% endwith %}{% endfor %}{{ form.token }}"""  # noqa: E501 — the template as it was
)


def _reference(form: ReadingsForm, meters: list[Meter], *, window_open: bool) -> str:
    """The former view's rows and template."""
    histories = selectors.zone_histories(meters=meters, today=TODAY)
    rows = []
    for meter in meters:
        zones = []
        for zone in meter.zones:
            history = histories[(meter.pk, zone)]
            field = form[value_field_name(meter.pk, zone)]
            field.help_text = PREVIOUS.render(
                Context(
                    {
                        "meter": meter,
                        "previous": history.previous,
                        "replaced": history.previous is not None
                        and history.previous.meter_id != meter.pk,
                        "today": history.today,
                    }
                )
            )
            if not window_open:
                field.field.widget.attrs["disabled"] = True
            zones.append({"zone": zone, "field": field})
        rows.append(
            {
                "meter": meter,
                "zones": zones,
                "refusal": rules.meter_refusal(meter, meter.metering_point.contract),
                "warning": rules.meter_warning(meter, TODAY),
                "confirm": form[confirm_field_name(meter.pk)],
                "needs_confirm": meter.pk in form.to_confirm,
            }
        )
    return FIELDSETS.render(Context({"rows": rows, "form": form}))


def _written(form: ReadingsForm, meters: list[Meter], *, window_open: bool) -> str:
    """What the view writes now."""
    html = views._fieldsets(form, meters, TODAY, window_open=window_open)
    return html + readings_rows.hidden_input(form["token"])


@pytest.fixture
def meters(customer_a) -> list[Meter]:
    """One meter of each kind the form draws differently."""
    contract = customer_a.contract
    point = {"metering_point__consumption_object__contract": contract}
    single = customer_a.meter  # one zone, a reading of 25.10.2026 (ReadingFactory's)
    two = MeterFactory(
        **point,
        tariff_zones=TariffZones.TWO,
        decimal_places=1,
        transformation_ratio=40,
        model='Нева <МТ> "124" & Co',
        serial_number="A&B<1>",
        metering_point__address='ул. "Садовая" <5> & 7',
    )
    for zone, value in (("day", "1200.5"), ("night", "480")):
        ReadingFactory(meter=two, zone=zone, value=Decimal(value), read_on=dt.date(2026, 10, 25))
        ReadingFactory(
            meter=two, zone=zone, value=Decimal(value) - 100, read_on=dt.date(2026, 9, 25)
        )
    ReadingFactory(meter=two, zone="day", value=Decimal("1300"), read_on=TODAY)  # sent today
    ReadingFactory(
        meter=two,
        zone="night",
        value=Decimal("9"),
        read_on=dt.date(2026, 11, 1),
        status=Reading.Status.REJECTED,
        rejection_reason="Ошибка",
    )
    three = MeterFactory(**point, tariff_zones=TariffZones.THREE, decimal_places=0)  # none yet
    overdue = MeterFactory(**point, next_verification_on=dt.date(2026, 10, 1))
    ReadingFactory(meter=overdue, value=Decimal("1234567.8912"), read_on=dt.date(2026, 10, 25))
    automatic = MeterFactory(**point, is_automatic=True)
    # A meter replaced at its point: the old one's last reading is the new one's previous.
    old = MeterFactory(**point, removed_on=dt.date(2026, 11, 1))
    ReadingFactory(meter=old, value=Decimal("88000"), read_on=dt.date(2026, 10, 25))
    new = MeterFactory(metering_point=old.metering_point, installed_on=dt.date(2026, 11, 1))
    ids = [single.pk, two.pk, three.pk, overdue.pk, automatic.pk, new.pk]
    found = Meter.objects.select_related("metering_point__contract").in_bulk(ids)
    return [found[pk] for pk in ids]


@pytest.fixture(autouse=True)
def _crispy_class(settings):
    """crispy-forms names an input's class after its widget's: the form's value inputs were
    plain TextInputs («textinput»), now a TextInput of the form's own."""
    settings.CRISPY_CLASS_CONVERTERS = {"_valueinput": "textinput"}


def _both(meters, data=None, *, errors=(), confirm=(), window_open=True):
    """The reference and the written HTML of two forms given the same data and verdicts."""
    html = []
    token = "5f0e4b8e-8c1e-4a0a-9c55-0d6f7f3f1a11"
    for write in (_reference, _written):
        form = ReadingsForm(data, meters=meters, initial={"token": token})
        if data is not None:
            assert form.is_valid(), form.errors
        for name, message in errors:
            form.add_error(name, message)
        form.to_confirm.update(confirm)
        html.append(write(form, meters, window_open=window_open))
    return html


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("window_open", [True, False])
def test_first_visit_draws_what_the_template_drew(meters, language, window_open):
    with translation.override(language):
        reference, written = _both(meters, window_open=window_open)
    assertHTMLEqual(written, reference)
    assert written.count("<fieldset") == len(meters)
    assert ("disabled" in written) is not window_open


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_refused_post_draws_the_values_errors_and_confirmations(meters, language):
    single, two, three, overdue, _automatic, new = meters
    data = {
        "token": "5f0e4b8e-8c1e-4a0a-9c55-0d6f7f3f1a11",
        value_field_name(single.pk, "total"): '12<3>"&',
        value_field_name(two.pk, "day"): "1 300,5",
        value_field_name(two.pk, "night"): "",
        value_field_name(three.pk, "peak"): "1",
        confirm_field_name(three.pk): "on",  # confirmed before: the box stays ticked
        value_field_name(new.pk, "total"): "5",
    }
    errors = [
        (value_field_name(single.pk, "total"), "Введите показание <числом> & «так»."),
        (value_field_name(two.pk, "day"), "Первая ошибка."),
        (value_field_name(two.pk, "day"), "Вторая ошибка."),
        (value_field_name(overdue.pk, "total"), "Показание намного больше обычного."),
    ]
    with translation.override(language):
        reference, written = _both(meters, data, errors=errors, confirm={overdue.pk})
    assertHTMLEqual(written, reference)
    assert 'aria-invalid="true"' in written and "&lt;числом&gt; &amp;" in written
    assert f'name="{confirm_field_name(overdue.pk)}"' in written
    assert f'name="{confirm_field_name(three.pk)}"' in written and " checked" in written
    assert f'name="{confirm_field_name(single.pk)}"' not in written


def test_the_help_text_is_the_previous_reading_and_todays(meters):
    _single, two, *_rest, new = meters
    with translation.override("ru"):
        _reference_html, written = _both(meters)
    assert "1\u202f200,5" in written and "на сегодня уже передано: 1\u202f300,0" in written
    assert "Прибор заменён; последнее показание прежнего: " in written
    histories = selectors.form_histories(meters=meters, today=TODAY)
    assert histories[(two.pk, "night")].previous.value == Decimal("480")  # not the rejected 9
    assert histories[(new.pk, "total")].previous.value == Decimal("88000")


def test_form_histories_are_zone_histories_without_the_depth(meters):
    """On PostgreSQL (make test-postgres) form_histories has a query of its own, and meters
    loaded `with_form_histories` bring theirs along (the contract's page): both find what
    zone_histories finds (across a replaced meter, without the rejected reading, today's)."""
    full = selectors.zone_histories(meters=meters, today=TODAY)
    shown = selectors.form_histories(meters=meters, today=TODAY)
    loaded = Meter.objects.filter(pk__in=[meter.pk for meter in meters]).order_by("pk")
    along = list(selectors.with_form_histories(loaded, TODAY))
    with CaptureQueriesContext(connection) as queries:
        brought = selectors.form_histories(meters=along, today=TODAY)
    assert len(queries) == (0 if connection.vendor == "postgresql" else 1)
    for meter in meters:
        for zone in meter.zones:
            key = (meter.pk, zone)
            assert (shown[key].previous, shown[key].today) == (full[key].previous, full[key].today)
            assert (brought[key].previous, brought[key].today) == (
                full[key].previous,
                full[key].today,
            )
    assert any(history.today for history in brought.values())
    assert any(
        history.previous and history.previous.meter_id != meter_id
        for (meter_id, _zone), history in brought.items()
    )


def test_the_contract_page_reads_only_the_columns_it_loads(
    client, customer_a, meters, monkeypatch, settings
):
    """The page loads a few columns of each meter, point and contract (views._READ): reading
    another one would cost a query per meter — on the page, a refused and an accepted POST."""

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"{type(self).__name__} read a column not loaded: {args} {kwargs}")

    settings.LKK_READING_WINDOW = "1-31"
    for model in (Meter, MeteringPoint, Contract):
        monkeypatch.setattr(model, "refresh_from_db", refuse)
    single = meters[0]
    url = reverse("readings:submit_contract", args=[customer_a.contract.pk])
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(customer_a.user)
        html = client.get(url).content.decode()
        assert html.count("<fieldset") == len(meters) and 'name="token"' in html
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        refused = client.post(url, {"token": token, value_field_name(single.pk, "total"): "1"})
        assert refused.status_code == 200 and "не может быть меньше" in refused.content.decode()
        accepted = client.post(url, {"token": token, value_field_name(single.pk, "total"): "1300"})
        assert accepted.status_code == 302
    assert Reading.objects.get(meter=single, read_on=TODAY).value == Decimal("1300")
