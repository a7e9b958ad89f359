"""«История показаний» written in Python (lkk/readings/history_rows.py), a page in one query.

The rows must read exactly as the template's loops wrote them (kept below as the reference), in
both languages, with billing's and operators' text escaped; the SQL of PostgreSQL must give what
the ORM's queries give.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import translation

from lkk.core.params import MAX_ID
from lkk.customers.models import TariffZones, Zone
from lkk.customers.tests.factories import MeterFactory, ReadingFactory
from lkk.readings import history, history_rows
from lkk.readings.models import Reading

TODAY = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
HOSTILE = "<script>alert(\"x\")</script> & 'q'"

#: The template's loops the Python rows replace, as they were.
READINGS_TEMPLATE = (
    "{% load i18n numbers %}{% for r in rows %}"
    '<tr{% if r.status == "rejected" %} class="table-danger"{% endif %}>'
    '<td class="text-nowrap">{{ r.read_on|date:"d.m.Y" }}</td>'
    '<td class="text-nowrap">{{ r.zone_label }}</td>'
    '<td class="text-end">{{ r.value|reading:meter }}</td>'
    '<td class="text-end">{% if r.consumption is not None %}{{ r.consumption|reading:meter }}'
    '{% else %}<span class="text-body-secondary" title="'
    "{% translate 'Первое показание после замены прибора учёта' %}\">—</span>{% endif %}</td>"
    "<td>{{ r.get_source_display }}</td>"
    "<td>{{ r.get_status_display }}{% if r.rejection_reason %}: {{ r.rejection_reason }}"
    "{% endif %}</td></tr>{% endfor %}"
)
MONTHLY_TEMPLATE = (
    "{% load numbers %}{% for month, values in monthly.rows %}"
    '<tr><th scope="row" class="fw-normal">{{ month|date:"F Y" }}</th>'
    '{% for v in values %}<td class="text-end">{% if v is None %}—{% else %}'
    "{{ v|reading:meter }}{% endif %}</td>{% endfor %}</tr>{% endfor %}"
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def assorted(customer_a):
    """A three-zone meter of three decimals with what a history holds: every register, a zone
    of an earlier tariff, a refusal with hostile text, a first reading after a replacement (no
    consumption), every source and status, two years and more: 121 readings."""
    meter = MeterFactory(
        metering_point__consumption_object=customer_a.meter.metering_point.consumption_object,
        tariff_zones=TariffZones.THREE,
        decimal_places=3,
    )
    day = dt.date(2026, 11, 20)
    Reading.objects.bulk_create(
        [
            Reading(
                meter=meter,
                zone=zone,
                read_on=day - dt.timedelta(days=23 * i),
                value=Decimal("123456.7891") + i,
                consumption=None if i % 11 == 5 else (Decimal(i) / 7).quantize(Decimal("1e-4")),
                source=list(Reading.Source)[i % 4],
                status=list(Reading.Status)[i % 3],
                rejection_reason=HOSTILE if i % 3 == 2 else "",
            )
            for i in range(40)
            for zone in (Zone.PEAK, Zone.NIGHT, Zone.HALF_PEAK)
        ]
    )
    ReadingFactory(meter=meter, zone=Zone.DAY, read_on=day, consumption=Decimal("2.5"))
    return meter


def _tidy(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def _template_rows(user, meter, number: int, per_page: int) -> str:
    readings = list(history.readings_for_meter(user=user, meter=meter))
    page = readings[(number - 1) * per_page : number * per_page]
    for reading in page:
        reading.zone_label = meter.get_zone_label(reading.zone)
    return Template(READINGS_TEMPLATE).render(Context({"rows": page, "meter": meter}))


@pytest.mark.parametrize("language", ["ru", "en"])
def test_rows_are_what_the_template_wrote(customer_a, assorted, language):
    with translation.override(language):
        for number in (1, 2, 9):
            page = history.readings_page(
                user=customer_a.user, meter=assorted, number=number, per_page=15
            )
            expected = _template_rows(customer_a.user, assorted, number, 15)
            assert _tidy(history_rows.readings(page.object_list, assorted)) == _tidy(expected)
            assert page.paginator.count == Reading.objects.filter(meter=assorted).count() == 121


@pytest.mark.parametrize("language", ["ru", "en"])
def test_monthly_rows_are_what_the_template_wrote(customer_a, assorted, language):
    with translation.override(language):
        monthly = history.monthly_consumption(
            user=customer_a.user, meter=assorted, today=TODAY.date()
        )
        expected = Template(MONTHLY_TEMPLATE).render(
            Context({"monthly": monthly, "meter": assorted})
        )
        assert history_rows.monthly(monthly, assorted) == expected
    assert monthly.zones[:3] == [Zone.PEAK, Zone.NIGHT, Zone.HALF_PEAK]
    assert monthly.zones[3:] == [Zone.DAY]  # a zone of an earlier tariff, after the registers


@pytest.mark.parametrize(
    ("language", "january"),
    [("ru", ("Январь 2026", "янв 2026")), ("en", ("January 2026", "jan 2026"))],
)
def test_months_read_as_the_date_filter(language, january):
    with translation.override(language):
        first = dt.date(2026, 1, 1)
        label = history_rows.month_label
        assert (label(first, "F Y"), label(first, "b Y")) == january
        for month in range(1, 13):
            day = dt.date(2025, month, 1)
            for fmt in ("F Y", "b Y"):
                assert history_rows.month_label(day, fmt) == date_filter(day, fmt)


def test_the_page_escapes_what_billing_and_operators_wrote(client, customer_a, assorted):
    client.force_login(customer_a.user)
    body = client.get(reverse("readings:history", args=[assorted.pk])).content.decode()
    assert "<script>alert" not in body
    assert ": &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;</td>" in body


@pytest.mark.parametrize("page", ["9", "10", "99", str(MAX_ID)])
def test_a_page_past_the_end_is_the_last_one(client, customer_a, assorted, page, settings):
    settings.LKK_PAGE_SIZE = 15
    client.force_login(customer_a.user)
    url = reverse("readings:history", args=[assorted.pk])
    last = client.get(url, {"page": page})
    assert last.status_code == 200
    body = last.content.decode()
    assert "Страница 9 из 9" in body
    assert "Найдена 121 запись" in body
    table = re.search(r'<table[^>]*data-testid="history".*?</table>', body, re.S)[0]
    assert table.count("<tr") == 1 + 1  # the head and 121 − 8 × 15 rows


def test_no_readings(customer_a):
    meter = MeterFactory(
        metering_point__consumption_object=customer_a.meter.metering_point.consumption_object
    )
    page = history.readings_page(user=customer_a.user, meter=meter, number=None, per_page=15)
    assert list(page.object_list) == []
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (1, 0, 1)
    assert history_rows.readings(page.object_list, meter) == ""


@pytest.mark.postgres
def test_postgresql_sql_gives_what_the_orm_gives(customer_a, assorted):
    # The SQLite pass deselects this test (marker `postgres`); make test-postgres runs it.
    assert connection.vendor == "postgresql", "run: make test-postgres"
    user = customer_a.user
    for offset in (0, 15, 120, 121, 500):
        assert history._page_sql(assorted, offset, 15) == history._page_orm(
            user, assorted, offset, 15
        )
    first, after_last = dt.date(2024, 12, 1), dt.date(2026, 12, 1)
    sql = history._monthly_sql(assorted, first, after_last)
    assert sql == history._monthly_orm(user, assorted, first, after_last)
    assert len(sql) > 40
    assert all(isinstance(total, Decimal) for _month, _zone, total in sql)
