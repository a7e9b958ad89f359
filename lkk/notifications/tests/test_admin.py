"""The back office sees who got which message and why one failed, never a body (codes)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from lkk.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _login_with_second_factor(client, user) -> None:
    """The back office wants the TOTP second factor: a confirmed device, verified in the session."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def message() -> OutboxMessage:
    return OutboxMessage.objects.create(
        channel="sms",
        recipient="+79123456789",
        body="Код для входа в ЛКК: 905512",
        html="<b>905512</b>",
        kind="login_code",
        status=OutboxMessage.Status.FAILED,
        attempts=8,
        last_error="SmsError: the SMS gateway answered HTTP 500",
    )


def test_admin_lists_messages_without_bodies(client, admin_user, message):
    _login_with_second_factor(client, admin_user)
    page = client.get(reverse("admin:notifications_outboxmessage_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "+79123456789" in text
    assert "login_code" in text
    assert "905512" not in text


def test_admin_detail_is_read_only_and_hides_the_body(client, admin_user, message):
    _login_with_second_factor(client, admin_user)
    url = reverse("admin:notifications_outboxmessage_change", args=[message.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "HTTP 500" in text
    assert "905512" not in text
    assert 'name="recipient"' not in text
    assert client.post(url, {"recipient": "+70000000000"}).status_code == 403
    assert client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    delete = reverse("admin:notifications_outboxmessage_delete", args=[message.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    message.refresh_from_db()
    assert message.recipient == "+79123456789"
