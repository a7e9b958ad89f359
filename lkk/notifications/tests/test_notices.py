"""«Уведомления» (N1): notices in the portal, the menu's unread count, copies per preferences."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lkk.accounts.models import NotificationPreferences
from lkk.customers.tests.factories import UserFactory
from lkk.notifications.models import Notification, OutboxMessage
from lkk.notifications.services import notification_read, notifications_read_all, notify

pytestmark = pytest.mark.django_db


def _unread(user) -> int:
    user.refresh_from_db(fields=["unread_notifications"])
    return user.unread_notifications


def test_notify_writes_a_notice_and_counts_it():
    user = UserFactory(email="ivanov@example.ru", phone="+79001234567")
    notify(user, topic="applications", title="Заявка № З-2026-000001 в работе", url="/x/")
    notify(user, topic="outages", title="Плановое отключение 02.12")
    assert Notification.objects.filter(user=user).count() == 2
    assert _unread(user) == 2


def test_copies_follow_the_preferences():
    user = UserFactory(email="ivanov@example.ru", phone="+79001234567")
    NotificationPreferences.objects.create(
        user=user, applications_email=False, applications_sms=True, outages_email=True
    )
    notify(user, topic="applications", title="Заявка выполнена", url="/applications/1/")
    sms = OutboxMessage.objects.get(kind="notice_applications")
    assert sms.channel == "sms" and sms.recipient == "+79001234567"
    assert "/applications/1/" in sms.body  # the link to the portal goes with the copy
    notify(user, topic="news", title="Новость")  # news by email is off by default
    assert not OutboxMessage.objects.filter(kind="notice_news").exists()


def test_the_same_event_notifies_once():
    user = UserFactory(email="ivanov@example.ru")
    first = notify(user, topic="reports", title="Отчёт готов", dedup_key="report:1")
    again = notify(user, topic="reports", title="Отчёт готов", dedup_key="report:1")
    assert first.pk == again.pk
    assert _unread(user) == 1
    assert OutboxMessage.objects.filter(kind="notice_reports").count() == 1


def test_a_notice_links_only_inside_the_portal():
    user = UserFactory()
    for url in ("https://evil.example/", "//evil.example/x"):
        with pytest.raises(ValueError):
            notify(user, topic="news", title="x", url=url)


def test_reading_marks_one_and_all():
    user, other = UserFactory(), UserFactory()
    one = notify(user, topic="news", title="a")
    notify(user, topic="news", title="b")
    assert notification_read(other, one.pk) is None  # not another user's
    assert _unread(user) == 2
    assert notification_read(user, one.pk).read_at is not None
    assert _unread(user) == 1
    assert notifications_read_all(user) == 1
    assert _unread(user) == 0


def test_the_menu_shows_the_unread_count_and_the_list_its_notices(client):
    user = UserFactory()
    client.force_login(user)
    home = client.get(reverse("notifications:list")).content.decode()
    assert 'data-testid="unread-count"' not in home
    assert "Уведомлений пока нет." in home
    notice = notify(user, topic="applications", title="Заявка в работе", url="/notifications/")
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Заявка в работе" in page
    assert (
        'data-testid="unread-count"><span class="visually-hidden">непрочитанных: </span>1<' in page
    )
    # Opening it (POST) marks it read and goes where it points.
    opened = client.post(reverse("notifications:open", args=[notice.pk]))
    assert opened.status_code == 302 and opened.url == "/notifications/"
    page = client.get(reverse("notifications:list"), {"show": "unread"}).content.decode()
    assert "Непрочитанных уведомлений нет." in page
    assert 'data-testid="unread-count"' not in page


def test_another_users_notice_is_404(client):
    owner, stranger = UserFactory(), UserFactory()
    notice = notify(owner, topic="news", title="Секрет владельца")
    client.force_login(stranger)
    url = reverse("notifications:open", args=[notice.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert "Секрет владельца" not in client.get(reverse("notifications:list")).content.decode()
    notice.refresh_from_db()
    assert notice.read_at is None


def test_read_all_by_post(client):
    user = UserFactory()
    for n in range(3):
        notify(user, topic="news", title=f"n{n}")
    client.force_login(user)
    assert client.get(reverse("notifications:read_all")).status_code == 405
    client.post(reverse("notifications:read_all"))
    assert _unread(user) == 0


def test_the_list_keeps_its_query_count(client, django_assert_num_queries):
    user = UserFactory()
    client.force_login(user)
    notify(user, topic="news", title="one")
    client.get(reverse("notifications:list"))
    with django_assert_num_queries(5) as few:
        client.get(reverse("notifications:list"))
    for n in range(60):
        notify(user, topic="news", title=f"n{n}")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("notifications:list"), {"page": 3})
