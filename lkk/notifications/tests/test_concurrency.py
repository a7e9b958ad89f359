"""Several workers drain at once on PostgreSQL: SKIP LOCKED gives each message to one of them."""

from __future__ import annotations

import os
import threading
from collections import Counter

import pytest
from django.db import connection

from lkk.notifications.models import OutboxMessage
from lkk.notifications.outbox import outbox_drain_due

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS = 4
MESSAGES = 40


@pytest.fixture(autouse=True)
def _needs_postgres():
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "run: make test-postgres"
    assert connection.vendor == "postgresql"


def test_concurrent_drains_send_every_message_once(sms):
    OutboxMessage.objects.bulk_create(
        OutboxMessage(channel="sms", recipient="+79123456789", body=f"Код {i:06d}", kind="code")
        for i in range(MESSAGES)
    )
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            outbox_drain_due()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    sends = Counter(s["text"] for s in sms.sent)
    assert len(sends) == MESSAGES
    assert set(sends.values()) == {1}, "a message was sent twice"
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}
