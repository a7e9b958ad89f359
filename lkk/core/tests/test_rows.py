"""lkk/core/rows.py: the helpers lists write their rows with show what the templates showed."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template, engines
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from lkk.core import rows
from lkk.customers.models import Contract, MeteringPoint


@pytest.mark.parametrize("value", ["<b>\"x\"</b> & 'y'", "Иванов", "", None])
def test_e_escapes_as_autoescaping_does(value):
    """Text as `{{ v }}` shows it (numbers and dates go through plain(), day(), number())."""
    shown = Template("{{ v }}").render(Context({"v": value}))
    assert rows.e(value) == ("" if value is None else shown)


def test_e_keeps_what_is_marked_safe():
    assert rows.e(mark_safe("<b>ok</b>")) == "<b>ok</b>"


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("pk", [1, 7, 918273645, 10**12])
def test_id_url_is_reverse(language, pk):
    with translation.override(language):
        for name in ("customers:point_detail", "readings:history", "customers:contract_detail"):
            assert rows.id_url(name)(pk) == reverse(name, args=[pk])


def test_id_url_refuses_a_view_without_one_id():
    with pytest.raises((NoReverseMatch, ValueError)):
        rows.id_url("customers:point_list")


def test_id_url_takes_only_integers():
    with pytest.raises(ValueError):
        rows.id_url("customers:point_detail")("1/../../admin")


def test_labels_follow_the_language_and_are_escaped():
    value = Contract.Status.ACTIVE
    with translation.override("ru"):
        ru = rows.labels(Contract, "status")[value]
        assert ru == Contract(status=value).get_status_display()
    with translation.override("en"):
        en = rows.labels(Contract, "status")[value]
        assert en == Contract(status=value).get_status_display()
    assert ru != en


def test_a_value_outside_the_choices_shows_as_itself():
    voltages = rows.labels(MeteringPoint, "voltage_level")
    assert rows.label(voltages, "<x>") == "&lt;x&gt;"


@pytest.mark.parametrize("value", [dt.date(2026, 1, 31), dt.date(9, 3, 4), None])
def test_day_is_the_date_filter(value):
    shown = Template('{{ v|date:"d.m.Y" }}').render(Context({"v": value}))
    assert rows.day(value) == shown


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("value", [0, 7, 123456, Decimal("1234.50"), dt.date(2026, 5, 1)])
def test_plain_is_what_a_variable_shows(language, value):
    with translation.override(language):
        assert rows.plain(value) == Template("{{ v }}").render(Context({"v": value}))


@pytest.mark.parametrize("language", ["ru", "en"])
def test_number_is_the_number_filter(language):
    template = Template("{% load numbers %}{{ v|number:p }}")
    with translation.override(language):
        for value, places in [(Decimal("1234567.891"), 2), (Decimal("-5"), None), (None, 2)]:
            assert rows.number(value, places) == template.render(Context({"v": value, "p": places}))


#: includes/pagination.html as it was in template tags: the Python tag must show the same.
OLD_PAGINATION = """{% load i18n %}
{% if page_obj.paginator.num_pages > 1 %}
<nav aria-label="{% translate 'Страницы' %}">
  <ul class="pagination flex-wrap">
    {% if page_obj.has_previous %}
      <li class="page-item"><a class="page-link" href="{% querystring page=page_obj.previous_page_number %}" rel="prev">{% translate "Назад" %}</a></li>
    {% endif %}
    <li class="page-item disabled"><span class="page-link">{% blocktranslate with n=page_obj.number total=page_obj.paginator.num_pages %}Страница {{ n }} из {{ total }}{% endblocktranslate %}</span></li>
    {% if page_obj.has_next %}
      <li class="page-item"><a class="page-link" href="{% querystring page=page_obj.next_page_number %}" rel="next">{% translate "Вперёд" %}</a></li>
    {% endif %}
  </ul>
</nav>
{% endif %}
<p class="small text-body-secondary">{% blocktranslate count counter=page_obj.paginator.count %}Найдена {{ counter }} запись{% plural %}Найдено записей: {{ counter }}{% endblocktranslate %}</p>"""  # noqa: E501


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("query", ["", "?q=a%26b&sort=-code", "?page=2&q=<x>"])
@pytest.mark.parametrize(("count", "number"), [(0, 1), (1, 1), (2, 1), (21, 1), (75, 2), (75, 3)])
def test_pagination_shows_what_its_template_showed(rf, language, query, count, number):
    page = Paginator(range(count), 25).get_page(number)
    request = rf.get("/points/" + query)
    new = engines["django"].from_string("{% load query %}{% pagination %}")
    given = engines["django"].from_string("{% load query %}{% pagination other %}")
    old = engines["django"].from_string(OLD_PAGINATION)
    with translation.override(language):
        context = {"page_obj": page}
        was = _squeezed(old.render(context, request))
        assert _squeezed(new.render(context, request)) == was
        # A page under another name (the notifications' `page`) is given to the tag.
        assert _squeezed(given.render({"other": page}, request)) == was


#: The list's search form, table head and phone sort form as they were in template tags
#: (list_page.html and the includes it had): the Python tags must show
#: the same.
OLD_SEARCH = """{% load i18n query %}
<form method="get" class="d-flex flex-wrap gap-2 mb-3" role="search">
  {% query_items "q" "page" as kept %}{% for key, value in kept %}<input type="hidden" name="{{ key }}" value="{{ value }}">{% endfor %}
  <label class="visually-hidden" for="id_q">{% translate "Поиск" %}</label>
  <input type="search" class="form-control lkk-search" id="id_q" name="q" value="{{ q }}" placeholder="{{ placeholder|default:_('Поиск') }}">
  <button type="submit" class="btn btn-primary">{% translate "Найти" %}</button>
  {% if q %}<a class="btn btn-outline-secondary" href="{% querystring q=None page=None %}">{% translate "Сбросить" %}</a>{% endif %}
</form>"""  # noqa: E501
OLD_TABLE_HEAD = """{% load i18n %}
<thead><tr>
  {% for col in columns %}
    <th scope="col"{% if col.active %} aria-sort="{% if col.descending %}descending{% else %}ascending{% endif %}"{% endif %}>
      {% if col.key %}<a href="{{ col.url }}">{{ col.title }}{% if col.active %} <span aria-hidden="true">{% if col.descending %}↓{% else %}↑{% endif %}</span>{% endif %}</a>{% else %}{{ col.title }}{% endif %}
    </th>
  {% endfor %}
</tr></thead>"""  # noqa: E501
OLD_SORT_FORM = """{% load i18n query %}{% if sort_options %}
<form method="get" class="mb-3 d-sm-none" data-testid="sort-form">
  {% query_items "sort" "page" as kept %}{% for key, value in kept %}<input type="hidden" name="{{ key }}" value="{{ value }}">{% endfor %}
  <label class="form-label mb-1" for="id_sort">{% translate "Порядок" %}</label>
  <div class="d-flex gap-2">
    <select class="form-select" name="sort" id="id_sort">{% for option in sort_options %}<option value="{{ option.value }}"{% if option.selected %} selected{% endif %}>{{ option.title }}</option>{% endfor %}</select>
    <button type="submit" class="btn btn-outline-secondary">{% translate "Применить" %}</button>
  </div>
</form>
{% endif %}"""  # noqa: E501

COLUMNS = [
    {"key": "code", "title": "Код", "active": True, "descending": False, "url": "?sort=-code"},
    {"key": "power", "title": "P <кВт>", "active": False, "descending": False,
     "url": "?q=a%26b&sort=power"},
    {"key": "", "title": "Адрес", "active": False, "descending": False, "url": ""},
]  # fmt: skip
SORT_OPTIONS = [
    {"value": "code", "title": "Код — по возрастанию", "selected": False},
    {"value": "-code", "title": "Код — по убыванию", "selected": True},
    {"value": 'x"<', "title": "<b>", "selected": False},
]


def _lines_dropped(html: str) -> str:
    """Without the templates' line breaks and indentation (a space on one line is kept)."""
    return re.sub(r"\s*\n\s*", "", html)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize(
    "query", ["", "?q=a%26b&sort=-code", "?page=2&q=<x>&contract=5", "?sort=x"]
)
@pytest.mark.parametrize("placeholder", ["", "Номер <договора>"])
def test_list_controls_show_what_their_templates_showed(rf, language, query, placeholder):
    request = rf.get("/points/" + query)
    q = request.GET.get("q", "")
    with translation.override(language):
        for descending in (False, True):
            columns = [{**col, "descending": descending} for col in COLUMNS]
            context = {"q": q, "placeholder": placeholder, "columns": columns,
                       "sort_options": SORT_OPTIONS, "search_placeholder": placeholder}  # fmt: skip
            for old, new in (
                (OLD_SEARCH, "{% load query %}{% search_form search_placeholder %}"),
                (OLD_TABLE_HEAD, "{% load query %}{% table_head %}"),
                (OLD_SORT_FORM, "{% load query %}{% sort_form %}"),
            ):
                shown = engines["django"].from_string(new).render(context, request)
                was = engines["django"].from_string(old).render(context, request)
                assert _lines_dropped(shown) == _lines_dropped(was), new
        empty = {"sort_options": [], "columns": []}
        sort_form = engines["django"].from_string("{% load query %}{% sort_form %}")
        assert sort_form.render(empty, request) == ""


@pytest.mark.parametrize("query", ["", "?q=a&q=b&page=3", "?sort=-x&contract=5", "?x=%3C%22%3E"])
@pytest.mark.parametrize("changes", [{"page": None}, {"page": "4"}, {"sort": "code", "page": None}])
def test_querystring_is_djangos_tag(rf, query, changes):
    request = rf.get("/" + query)
    args = " ".join(f"{key}={value!r}" for key, value in changes.items())
    tag = engines["django"].from_string(f"{{% querystring {args} %}}").render({}, request)
    assert html.unescape(tag) == rows.querystring(request.GET, **changes)
