"""Web Push (P2) through the outbox, delivered to a push endpoint on loopback."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from lkk.notifications.models import OutboxMessage, PushSubscription
from lkk.notifications.outbox import outbox_drain_due
from lkk.notifications.push import push_subscribe
from lkk.notifications.services import notify


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _key_pair() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    private = _b64(key.private_numbers().private_value.to_bytes(32, "big"))
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return private, _b64(public)


class _PushService(BaseHTTPRequestHandler):
    received: list[dict] = []
    answer = 201

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        type(self).received.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": self.rfile.read(length),
            }
        )
        self.send_response(type(self).answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def push_service():
    _PushService.received = []
    _PushService.answer = 201
    server = HTTPServer(("127.0.0.1", 0), _PushService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _PushService
    server.shutdown()


@pytest.fixture
def vapid(settings):
    private, public = _key_pair()
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = private, public
    settings.VAPID_SUBJECT = "mailto:lkk@example.ru"


def test_notice_reaches_the_subscription_encrypted(customer_a, push_service, vapid):
    base, service = push_service
    _browser_private, browser_public = _key_pair()
    push_subscribe(user=customer_a.user, endpoint=f"{base}/push/abc", p256dh=browser_public,
                   auth=_b64(b"0123456789abcdef"))  # fmt: skip
    notify(customer_a.user, topic="readings", title="Показания приняты", url="/readings/")
    message = OutboxMessage.objects.get(channel="push")
    assert json.loads(message.body)["title"] == "Показания приняты"
    outbox_drain_due()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    [request] = service.received
    assert request["path"] == "/push/abc"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert request["headers"]["authorization"].startswith("vapid t=")
    assert "Показания".encode() not in request["body"]  # encrypted for the browser


def test_a_gone_subscription_is_deleted_not_retried(customer_a, push_service, vapid):
    base, service = push_service
    service.answer = 410
    _p, public = _key_pair()
    push_subscribe(user=customer_a.user, endpoint=f"{base}/push/gone", p256dh=public,
                   auth=_b64(b"0123456789abcdef"))  # fmt: skip
    notify(customer_a.user, topic="news", title="Новость")
    outbox_drain_due()
    assert not PushSubscription.objects.exists()
    assert OutboxMessage.objects.get(channel="push").status == OutboxMessage.Status.SENT


def test_no_push_copy_without_a_subscription_or_keys(customer_a, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    notify(customer_a.user, topic="news", title="Новость")
    assert not OutboxMessage.objects.filter(channel="push").exists()


def test_profile_opt_in_saves_only_a_public_https_endpoint(client, customer_a, vapid):
    client.force_login(customer_a.user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'data-testid="push-optin"' in page
    url = reverse("notifications:push_subscribe")
    _p, public = _key_pair()
    good = {"endpoint": "https://push.example.ru/send/1", "keys": {"p256dh": public, "auth": "x"}}
    assert client.post(url, good, content_type="application/json").status_code == 201
    for endpoint in ("http://push.example.ru/x", "https://127.0.0.1/x", "https://localhost/x"):
        bad = {**good, "endpoint": endpoint}
        response = client.post(url, bad, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["detail"] == "Подписка браузера не распознана."
    assert client.post(url, "{", content_type="application/json").status_code == 400
    assert PushSubscription.objects.filter(user=customer_a.user).count() == 1
    client.post(reverse("notifications:push_unsubscribe"))
    assert not PushSubscription.objects.exists()
