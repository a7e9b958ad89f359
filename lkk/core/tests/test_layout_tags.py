"""lkk/core/templatetags/layout.py: the layout's per-user parts show what their templates did."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import translation

from lkk.customers.models import Counterparty

#: The parts of base.html and its language switch as they were in template tags.
OLD_WHO = """{% load i18n %}        <div class="lkk-who me-3" data-testid="who">
          <div><span class="fw-semibold lkk-who-name">{{ header.name }}</span>{% if header.category %}
            {% if header.category_title %}<abbr class="small text-body-secondary lkk-who-category" title="{{ header.category_title }}">{{ header.category }}</abbr>{% else %}<span class="small text-body-secondary lkk-who-category">{{ header.category }}</span>{% endif %}{% endif %}</div>
          {% if header.counterparty %}<div class="small lkk-who-counterparty">{{ header.counterparty }}</div>{% endif %}
          {% if header.counterparties %}
            <form method="post" action="{% url 'customers:switch_counterparty' %}" class="d-flex gap-1 my-1" data-testid="counterparty-switcher">
              {% csrf_token %}
              <label class="visually-hidden" for="lkk-counterparty">{% translate "Контрагент" %}</label>
              <select class="form-select form-select-sm" name="counterparty" id="lkk-counterparty">
                <option value="all"{% if not header.active_id %} selected{% endif %}>{% translate "Все контрагенты" %}</option>
                {% for cp in header.counterparties %}<option value="{{ cp.pk }}"{% if cp.pk == header.active_id %} selected{% endif %}>{{ cp.short_name }}</option>{% endfor %}
              </select>
              <button type="submit" class="btn btn-outline-secondary btn-sm">{% translate "Выбрать" %}</button>
            </form>
          {% endif %}
          <a class="btn btn-link btn-sm p-0 me-2" href="{% url 'accounts:profile' %}">{% translate "Профиль" %}</a>
          <form method="post" action="{% url 'accounts:logout' %}" class="d-inline">
            {% csrf_token %}
            <button type="submit" class="btn btn-link btn-sm p-0">{% translate "Выйти" %}</button>
          </form>
        </div>
"""  # noqa: E501
OLD_NOTIFICATIONS = """{% load i18n %}            <li class="nav-item"><a class="nav-link{% if '/notifications/' in request.path %} active{% endif %}" href="{% url 'notifications:list' %}" data-testid="menu-notifications">{% translate "Уведомления" %}{% if user.unread_notifications %} <span class="badge rounded-pill text-bg-danger" data-testid="unread-count"><span class="visually-hidden">{% translate "непрочитанных:" %} </span>{{ user.unread_notifications }}</span>{% endif %}</a></li>
"""  # noqa: E501
OLD_LANGUAGE = """{% load i18n %}{% get_current_language as LANGUAGE_CODE %}
<form method="post" action="{% url 'set_language' %}" class="d-flex gap-1 lkk-lang" aria-label="{% translate 'Язык' %}">
  {% csrf_token %}
  <input type="hidden" name="next" value="{{ request.get_full_path }}">
  <button type="submit" name="language" value="ru" class="btn btn-sm {% if LANGUAGE_CODE == 'ru' %}btn-secondary{% else %}btn-outline-secondary{% endif %}" lang="ru">RU</button>
  <button type="submit" name="language" value="en" class="btn btn-sm {% if LANGUAGE_CODE == 'en' %}btn-secondary{% else %}btn-outline-secondary{% endif %}" lang="en">EN</button>
</form>
"""  # noqa: E501

CPS = [
    Counterparty(pk=7, short_name="ООО «Альфа» & <Ко>"),
    Counterparty(pk=9, short_name="ИП Петров"),
]
HEADERS = [
    {},
    {"name": "Оператор <b>", "category": "Оператор"},
    {"name": "Иванов И. И.", "category": "ЮЛ", "category_title": "Юридическое лицо",
     "counterparty": "ООО «Альфа»", "counterparties": [], "active_id": 7},
    {"name": "big", "category": "ЮЛ, ИП", "category_title": "Юр. лицо, ИП", "counterparty": "",
     "counterparties": CPS, "active_id": None},
    {"name": "big", "category": "ИП", "category_title": "ИП", "counterparty": "",
     "counterparties": CPS, "active_id": 9},
]  # fmt: skip


def _same(html: str) -> str:
    """Whitespace as a browser reads it (any run is one space), the CSRF token's mask left out."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)
    return re.sub(r"\s+", " ", html).strip()


def _both(old: str, new: str, context: dict, request) -> tuple[str, str]:
    django = engines["django"]
    shown = django.from_string("{% load layout %}" + new).render(context, request)
    was = django.from_string(old).render(context, request)
    return _same(shown), _same(was)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("header", HEADERS)
def test_who_block_is_what_its_template_showed(rf, language, header):
    request = rf.get("/points/")
    with translation.override(language):
        shown, was = _both(OLD_WHO, "{% who_block %}", {"header": header}, request)
    assert shown == was
    assert shown.count('name="csrfmiddlewaretoken"') == (2 if header.get("counterparties") else 1)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("path", ["/notifications/", "/notifications/5/", "/points/"])
@pytest.mark.parametrize("unread", [0, 3])
def test_notifications_item_is_what_its_template_showed(rf, language, path, unread):
    request = rf.get(path)
    user = SimpleNamespace(unread_notifications=unread)
    with translation.override(language):
        shown, was = _both(OLD_NOTIFICATIONS, "{% notifications_item %}", {"user": user}, request)
    assert shown == was
    assert ("unread-count" in shown) is bool(unread)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("path", ["/", "/points/?q=%3Cx%3E&sort=-code", '/info/help/?a=1&b="2"'])
def test_language_switch_is_what_its_template_showed(rf, language, path):
    request = rf.get(path)
    with translation.override(language):
        shown, was = _both(OLD_LANGUAGE, "{% language_switch %}", {}, request)
    assert shown == was
    assert f'value="{language}" class="btn btn-sm btn-secondary"' in shown
