"""The development outbox page: the demo user reads the code there; production has no such page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lkk.notifications.models import OutboxMessage
from lkk.notifications.services import message_queue

pytestmark = pytest.mark.django_db

URL = reverse("notifications:dev_outbox")


def _queue_code(committed) -> None:
    with committed():
        message_queue(
            channel="sms",
            recipient="+79123456789",
            subject="",
            body="Код для входа в ЛКК: 318275",
            kind="login_code",
        )


def test_demo_user_reads_the_code(client, settings, committed):
    settings.DEMO_MODE = True
    _queue_code(committed)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Код для входа в ЛКК: 318275" in page
    assert "+79123456789" in page
    assert "Отправлено" in page
    assert "no-store" in response["Cache-Control"], "codes are never cached"


def test_debug_also_shows_the_page(client, settings, committed):
    settings.DEBUG = True
    _queue_code(committed)
    assert "318275" in client.get(URL).content.decode()


def test_the_page_is_absent_in_production(client, settings, committed, customer_a):
    settings.DEBUG = False
    settings.DEMO_MODE = False
    _queue_code(committed)
    assert client.get(URL).status_code == 404
    assert client.post(URL).status_code == 404
    client.force_login(customer_a.user)
    response = client.get(URL)
    assert response.status_code == 404
    assert "318275" not in response.content.decode()


def test_the_page_only_reads(client, settings):
    settings.DEMO_MODE = True
    assert client.post(URL).status_code == 405


def test_the_latest_fifty_messages_newest_first(client, settings, django_assert_max_num_queries):
    settings.DEMO_MODE = True
    OutboxMessage.objects.bulk_create(
        OutboxMessage(channel="email", recipient=f"u{i}@example.ru", body=f"№{i:03d}", kind="x")
        for i in range(55)
    )
    with django_assert_max_num_queries(3):
        page = client.get(URL).content.decode()
    assert page.count('data-testid="dev-outbox-body"') == 50
    assert "№054" in page
    assert "№004" not in page
    assert page.index("№054") < page.index("№053")
