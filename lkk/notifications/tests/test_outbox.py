"""The drain: retries with backoff, gives up after the last attempt, survives a dead worker."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.management import call_command

from lkk.celery import app
from lkk.notifications import outbox
from lkk.notifications.models import OutboxMessage
from lkk.notifications.outbox import outbox_drain_due, retry_delay
from lkk.notifications.services import message_queue
from lkk.notifications.tasks import outbox_drain

from .conftest import T0

pytestmark = pytest.mark.django_db

CODE = "731904"


def _queue_sms(committed, **overrides: object) -> OutboxMessage:
    values = {
        "channel": "sms",
        "recipient": "+79123456789",
        "subject": "",
        "body": f"Код для входа в ЛКК: {CODE}",
        "kind": "login_code",
    }
    values.update(overrides)
    with committed():
        message = message_queue(**values)
    message.refresh_from_db()
    return message


def test_retry_delays_double_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]


def test_beat_drains_the_outbox_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-outbox-drain"]
    assert entry["schedule"] == 60.0
    assert entry["task"] == outbox_drain.name
    assert entry["task"] in app.tasks


def test_a_failed_send_is_retried_with_backoff(committed, sms, clock):
    sms.failures = 2
    message = _queue_sms(committed)
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert message.last_error == "SmsError: gateway down"

    clock.move_to(T0 + dt.timedelta(seconds=29))
    outbox_drain()
    message.refresh_from_db()
    assert message.attempts == 1, "not due yet"

    clock.move_to(T0 + dt.timedelta(seconds=30))
    outbox_drain()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 2)
    assert message.next_attempt_at == T0 + dt.timedelta(seconds=30 + 60)

    clock.move_to(message.next_attempt_at)
    outbox_drain()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 3)
    assert message.sent_at == T0 + dt.timedelta(seconds=90)
    assert message.last_error == ""
    assert sms.calls == 3
    assert sms.sent == [{"phone": "+79123456789", "text": message.body, "id": str(message.uid)}]


def test_a_message_fails_after_the_last_attempt(committed, sms, clock, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 4
    sms.failures = 100
    message = _queue_sms(committed)
    for _ in range(10):
        clock.move_to(message.next_attempt_at)
        outbox_drain()
        message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 4
    assert sms.calls == 4
    assert sms.sent == []


def test_an_email_the_server_refuses_is_retried(committed, mailoutbox, clock, settings):
    settings.EMAIL_BACKEND = "lkk.notifications.tests.backends.BrokenEmailBackend"
    with committed():
        message = message_queue(
            channel="email", recipient="a@example.ru", subject="Код", body=CODE, kind="code"
        )
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert message.last_error.startswith("SMTPServerDisconnected")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.move_to(message.next_attempt_at)
    outbox_drain()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert [m.body for m in mailoutbox] == [CODE]


def test_draining_twice_sends_once(committed, sms):
    message = _queue_sms(committed)
    outbox_drain()
    outbox_drain()
    assert call_command("outbox_drain") is None
    assert [s["id"] for s in sms.sent] == [str(message.uid)]


def test_a_worker_killed_after_the_claim_loses_nothing(sms, clock, settings):
    """The worker claimed the message and died: after the lease another drain sends it once."""
    message = OutboxMessage.objects.create(
        channel="sms", recipient="+79123456789", body=CODE, kind="code"
    )
    claimed = outbox._claim_next()  # …and the worker is killed here, before sending
    assert claimed.pk == message.pk
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENDING

    outbox_drain()
    assert sms.sent == [], "the lease keeps others off while the first worker might be sending"

    clock.move_to(T0 + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))
    outbox_drain()
    outbox_drain()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 2)
    assert len(sms.sent) == 1


def test_a_worker_killed_during_the_last_attempt_fails_the_message(sms, clock, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = OutboxMessage.objects.create(
        channel="sms", recipient="+79123456789", body=CODE, kind="code"
    )
    outbox._claim_next()
    clock.move_to(T0 + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))
    outbox_drain()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert sms.sent == []


def test_a_slow_worker_that_lost_its_lease_does_not_clobber_the_row(sms, clock):
    """Worker 1's send failed after worker 2 had taken the row over: worker 2's state stays."""
    message = OutboxMessage.objects.create(
        channel="sms", recipient="+79123456789", body=CODE, kind="code"
    )
    first = outbox._claim_next()
    clock.move_to(first.next_attempt_at)
    second = outbox._claim_next()
    assert second.attempts == 2
    outbox._mark_failed(first, RuntimeError("late"), outbox.DrainResult())
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENDING, 2)


def test_no_code_reaches_the_log_or_the_error(committed, sms, clock, caplog):
    sms.failures = 1
    sms.error_text = (
        f"rejected 'Код для входа в ЛКК: {CODE}' for +79123456789, token abcdefghijklmnopqrstuvwxyz"
    )
    with caplog.at_level(logging.DEBUG):
        message = _queue_sms(committed)
        clock.move_to(message.next_attempt_at)
        outbox_drain_due()
    failure = message.last_error
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert failure.startswith("SmsError: rejected")
    assert len(caplog.records) >= 2, "the failure and the delivery are logged"
    for text in (caplog.text, failure):
        assert CODE not in text
        assert "+79123456789" not in text
        assert "abcdefghijklmnopqrstuvwxyz" not in text


def test_an_unknown_sms_backend_is_retried_not_lost(committed, settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    message = _queue_sms(committed)
    assert message.status == OutboxMessage.Status.PENDING
    assert message.last_error.startswith("ImproperlyConfigured")
