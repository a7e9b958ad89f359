"""Issue acceptance: a code goes through a real SMTP server on loopback and is read back."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from lkk.notifications.models import OutboxMessage
from lkk.notifications.services import message_queue
from lkk.notifications.tasks import outbox_drain

pytestmark = pytest.mark.django_db


class Inbox:
    """aiosmtpd handler: keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _use_smtp(settings, port: int) -> None:
    """Django's SMTP backend, configured as EMAIL_URL=smtp://127.0.0.1:<port> would."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "lk@energo.example.ru"


@contextmanager
def _smtp_server(port: int) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def _queue_code(committed) -> OutboxMessage:
    with committed():
        message = message_queue(
            channel="email",
            recipient="petrova@example.ru",
            subject="Код подтверждения ЛКК",
            body="Здравствуйте!\n\nВаш код подтверждения: 604817\nОн действует 10 минут.",
            html="<p>Ваш код подтверждения: <b>604817</b></p>",
            kind="email_confirm",
        )
    message.refresh_from_db()
    return message


def test_the_code_arrives_through_real_smtp(settings, committed):
    port = _free_port()
    _use_smtp(settings, port)
    with _smtp_server(port) as inbox:
        message = _queue_code(committed)
    assert message.status == OutboxMessage.Status.SENT

    [envelope] = inbox.envelopes
    assert envelope.mail_from == "lk@energo.example.ru"
    assert envelope.rcpt_tos == ["petrova@example.ru"]
    received = message_from_bytes(envelope.original_content, policy=policy.default)
    assert received["Subject"] == "Код подтверждения ЛКК"
    assert received["Message-ID"] == f"<{message.uid}@energo.example.ru>"
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "Ваш код подтверждения: 604817" in text
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "<b>604817</b>" in html


def test_an_smtp_server_that_is_down_means_a_retry(settings, committed, clock):
    port = _free_port()
    _use_smtp(settings, port)
    message = _queue_code(committed)  # nothing listens on the port yet
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert message.last_error.startswith("ConnectionRefusedError")

    clock.move_to(message.next_attempt_at)
    with _smtp_server(port) as inbox:
        outbox_drain()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 2)
    assert len(inbox.envelopes) == 1
