"""A real Celery worker on the Redis broker delivers what a committed transaction queued."""

from __future__ import annotations

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from lkk.celery import app
from lkk.notifications.models import OutboxMessage
from lkk.notifications.services import message_queue
from lkk.notifications.tasks import outbox_drain

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_redis():
    assert os.environ.get("REDIS_URL"), "run with a Redis server: make test-postgres"


@pytest.fixture
def not_eager():
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True


def _delivered(message: OutboxMessage, timeout: float = 20) -> bool:
    """Waits for the worker to mark the message sent.

    Under xdist another test process may run a worker on the same Redis queue and take the drain
    (it drains its own database and finds nothing there). So, as beat does every minute in
    production, a drain is asked for again each second; draining is idempotent.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == OutboxMessage.Status.SENT:
            return True
        time.sleep(1)
        outbox_drain.delay()
    return False


def test_a_message_queued_while_no_worker_runs_is_delivered_later(not_eager, mailoutbox):
    """The commit hands the drain to Redis; no worker is up, so the message waits in the outbox
    (nothing lost); once a worker starts, it is delivered once."""
    with transaction.atomic():
        message = message_queue(
            channel="email",
            recipient="sidorov@example.ru",
            subject="Код подтверждения",
            body="Ваш код: 270416",
            kind="login_code",
        )
    time.sleep(0.5)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert mailoutbox == []

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        sent = _delivered(message)
    assert sent, "the worker did not deliver the message"
    assert [m.body for m in mailoutbox] == ["Ваш код: 270416"]
