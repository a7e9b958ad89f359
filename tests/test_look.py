"""Issue 8 («A finished look»), the parts a page's HTML shows: one way to render forms, no
emoji, the error pages (400, 403, 404, 405, 500) in the layout and the visitor's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

LKK = Path(settings.BASE_DIR) / "lkk"
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f]")


def test_no_form_sets_widget_classes_by_hand():
    modules = [*LKK.glob("**/forms.py"), *LKK.glob("**/forms/*.py"), *LKK.glob("**/*_views.py")]
    assert modules
    for module in modules:
        text = module.read_text()
        assert '"class":' not in text and "form-control" not in text, module


def test_no_template_renders_fields_by_hand():
    """Inputs come from the template pack (lkk/templates/bootstrap5/), not from page templates;
    the header's counterparty switcher, the search box and the step-3 contract numbers are
    not Django form fields."""
    for template in LKK.glob("**/templates/**/*.html"):
        text = template.read_text()
        assert "field.id_for_label" not in text or "bootstrap5" in template.parts, template
        assert "as_widget" not in text, template


def test_no_emoji_in_templates():
    for template in LKK.glob("**/templates/**/*.html"):
        assert not EMOJI.search(template.read_text()), template


@pytest.mark.django_db
def test_a_dead_link_is_a_russian_page_in_the_layout(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="ru">' in body
    assert "Страница не найдена" in body and "Not Found" not in body
    assert 'href="/"' in body and reverse("accounts:login") in body
    assert "Контактный центр" in body


@pytest.mark.django_db
def test_the_404_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in body and "Page not found" in body


def test_another_customers_contract_is_the_same_404_page(customer_a, customer_b):
    client = Client()
    client.force_login(customer_a.user)
    response = client.get(reverse("customers:contract_detail", args=[customer_b.contract.pk]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Страница не найдена" in body and 'data-testid="who"' in body
    assert customer_b.contract.number not in body


def test_a_get_of_a_post_only_route_gets_the_405_page(customer_a):
    client = Client()
    client.force_login(customer_a.user)
    response = client.get(reverse("customers:switch_counterparty"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    body = response.content.decode()
    assert "Действие недоступно" in body and '<html lang="ru">' in body
    assert response["Content-Type"] == "text/html; charset=utf-8"


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.browser.error_urls"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "title"),
    [(400, "Неверный запрос"), (403, "Доступ запрещён"), (405, "Действие недоступно")],
)
def test_4xx_pages(failing_urls, status, title):
    response = Client().get(f"/test-errors/{status}/")
    assert response.status_code == status
    body = response.content.decode()
    assert title in body and '<html lang="ru">' in body and "Контактный центр" in body


@pytest.mark.django_db
def test_the_500_page_needs_no_database(failing_urls, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/test-errors/500/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Ошибка на сервере" in body and '<html lang="ru">' in body and 'href="/"' in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Server error" in client.get("/test-errors/500/").content.decode()


@pytest.mark.django_db
def test_a_refused_csrf_check_is_a_403_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Страница устарела" in response.content.decode()
