"""The layout's path fragment (lkk/core/templatetags/fragments.py): rendered once per path and
language, it can never show one user's data to another nor a stale count."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from lkk.accounts.models import User
from lkk.core.templatetags import fragments
from lkk.customers.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    fragments.clear()
    yield
    fragments.clear()


def _render(source: str, request) -> str:
    template = engines["django"].from_string("{% load fragments %}" + source)
    return template.render(request=request)


def test_the_fragment_sees_the_path_and_nothing_else(rf: RequestFactory, customer_a):
    request = rf.get("/points/?q=секрет")
    request.user = customer_a.user
    request.session = {}
    html = _render(
        '{% path_fragment "probe" %}[{{ request.path }}|{{ request.GET.q }}|{{ request.user }}|'
        "{{ user }}|{{ user.username }}|{{ header.name }}|{{ csrf_token }}|{{ messages }}]"
        "{% endpath_fragment %}",
        request,
    )
    assert html == "[/points/|||||||]"


def test_the_output_is_the_same_for_every_user_and_cached(rf, customer_a, customer_b):
    source = '{% path_fragment "probe" %}{% url "customers:point_list" %}{% endpath_fragment %}'
    pages = []
    for customer in (customer_a, customer_b):
        request = rf.get("/points/")
        request.user = customer.user
        pages.append(_render(source, request))
    assert pages == ["/points/", "/points/"]
    assert len(fragments._cache) == 1


def test_the_key_holds_the_path_and_the_language(rf):
    source = (
        '{% load i18n %}{% path_fragment "probe" %}{{ request.path }} '
        '{% translate "Главная" %}{% endpath_fragment %}'
    )
    seen = []
    for language in ("ru", "en"):
        for path in ("/", "/points/"):
            with translation.override(language):
                seen.append(_render(source, rf.get(path)))
    assert seen == ["/ Главная", "/points/ Главная", "/ Home", "/points/ Home"]
    with translation.override("ru"):
        assert _render(source, rf.get("/")) == "/ Главная"  # from the cache, still Russian
    assert len(fragments._cache) == 4


def test_escaping_stays_on_inside_the_fragment(rf):
    html = _render(
        '{% path_fragment "probe" %}{{ request.path }}{% endpath_fragment %}',
        rf.get("/<script>/"),
    )
    assert html == "/&lt;script&gt;/"


def test_not_cached_with_debug(rf, settings):
    settings.DEBUG = True
    _render('{% path_fragment "probe" %}x{% endpath_fragment %}', rf.get("/"))
    assert fragments._cache == {}


def _menu(html: str) -> str:
    """The menu, without the CSRF tokens (masked anew on every request)."""
    menu = html[html.index('id="menu"') : html.index("</nav>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", menu)


@pytest.mark.django_db
def test_each_user_sees_their_own_header_and_unread_count(client):
    """Two users on the same page one after the other: the cached menu is shared, the name, the
    counterparty and the unread count are each one's own, and a count read anew every time."""
    from lkk.notifications.services import notify

    users = [UserFactory(username=f"frag{i}", last_name=f"Клиент{i}") for i in (1, 2)]
    for _ in range(3):
        notify(users[0], topic="outages", title="t", body="b", url="/")
    seen = []
    for user in (*users, users[0]):
        client.force_login(user)
        html = client.get(reverse("notifications:list")).content.decode()
        badge = re.search(r'data-testid="unread-count">.*?</span>(\d+)</span>', html)
        seen.append((user.full_name in html, badge and badge.group(1)))
        assert ("Клиент1" in html) == (user == users[0])
        assert ("Клиент2" in html) == (user == users[1])
    assert seen == [(True, "3"), (True, None), (True, "3")]
    # Reading the notices lowers the count on the very next page.
    User.objects.filter(pk=users[0].pk).update(unread_notifications=1)
    client.force_login(users[0])
    html = client.get(reverse("customers:point_list")).content.decode()
    assert re.search(r'data-testid="unread-count">.*?</span>1</span>', html)


@pytest.mark.django_db
def test_the_active_item_follows_the_path(client, customer_a):
    client.force_login(customer_a.user)
    for name, title in (
        ("customers:point_list", "Точки учёта"),
        ("customers:contract_list", "Договоры"),
        ("customers:point_list", "Точки учёта"),
    ):
        menu = _menu(client.get(reverse(name)).content.decode())
        active = re.findall(r'aria-current="page" href="[^"]*">([^<]*)<', menu)
        assert active == [title]


@pytest.mark.django_db
def test_the_menu_is_the_one_rendered_without_the_cache(client, customer_a, settings):
    client.force_login(customer_a.user)
    for language in ("ru", "en"):
        client.cookies["django_language"] = language
        cached = [_menu(client.get("/points/").content.decode()) for _ in range(2)]
        settings.DEBUG = True  # rendered anew every time
        fresh = _menu(client.get("/points/").content.decode())
        settings.DEBUG = False
        assert cached[0] == cached[1] == fresh
    assert "Metering points" in fresh


@pytest.mark.django_db
def test_staff_do_not_get_the_customer_menu(client, operator, customer_a):
    client.force_login(customer_a.user)
    client.get("/")
    client.force_login(operator)
    html = client.get(reverse("backoffice:home")).content.decode()
    assert 'data-testid="menu-sites"' not in html


def test_a_site_fragment_sees_no_path_and_is_one_for_every_path(rf, customer_a):
    source = (
        '{% load i18n %}{% fragment "probe" %}[{{ request.path }}|{{ user }}]'
        '{% url "content:help" %} {% translate "Помощь" %}{% endfragment %}'
    )
    pages = []
    for path in ("/points/", "/meters/", "/"):
        request = rf.get(path)
        request.user = customer_a.user
        with translation.override("ru"):
            pages.append(_render(source, request))
    assert pages == ["[|]/info/help/ Помощь"] * 3
    assert len(fragments._cache) == 1
    with translation.override("en"):
        assert _render(source, rf.get("/")) == "[|]/info/help/ Help"
    assert len(fragments._cache) == 2
