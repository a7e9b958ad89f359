"""Delivering the outbox: claim a message, send it, mark it — one message at a time.

How a message travels, and why it is sent once in practice and at least once for certain:

1. **Claim** (one short transaction). The oldest due row — `pending` whose `next_attempt_at` has
   come, or `sending` whose lease has run out — is locked, set to `sending` with `attempts + 1`,
   and its `next_attempt_at` moved to now + `OUTBOX_LEASE_SECONDS` (the lease). On PostgreSQL the
   row is read with ``SELECT … FOR UPDATE SKIP LOCKED``: concurrent workers take different rows
   and never wait for each other. SQLite has no row locks; there the transaction takes the
   database's write lock at BEGIN (``transaction_mode: IMMEDIATE`` in settings), so claims queue.
2. **Send**, outside any transaction, through Django's mail backend or the SMS provider.
3. **Mark**: `sent` with `sent_at` only once the backend has accepted the message. On an error the
   row goes back to `pending` with `next_attempt_at` = now + 30 s × 2^(attempts − 1), at most 1 h;
   after `OUTBOX_MAX_ATTEMPTS` attempts it is `failed` and stays so (the admin shows why).

A worker killed at any point loses nothing: before the claim commits the row is untouched; after
it the row waits in `sending` until its lease runs out and is claimed again. The lease also keeps
a second worker from sending a message that is being sent, as long as one send takes less than the
lease — SMTP and HTTP give up long before (`EMAIL_TIMEOUT`, `SMS_HTTP_TIMEOUT`).

The one window for a duplicate: the backend accepted the message and the worker died before step 3
committed. The message is then sent again when the lease runs out — at least once, never lost. The
resend carries the same Message-ID (mail) and Idempotency-Key (SMS gateway), the row's `uid`, so a
server that deduplicates drops it. A message whose last allowed attempt was cut off that way
becomes `failed` rather than being sent once more.

Bodies carry one-time codes: nothing here logs a body, and `last_error` keeps only the error's type
and its text with digits and token-like strings masked.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from lkk.notifications.models import OutboxMessage
from lkk.notifications.push import push_send
from lkk.notifications.sms import sms_provider

logger = logging.getLogger(__name__)

RETRY_BASE = dt.timedelta(seconds=30)
RETRY_MAX = dt.timedelta(hours=1)
#: How many messages one drain delivers at most; the next drain (beat, every minute) goes on.
DRAIN_LIMIT = 500

_SECRET_LOOKING = re.compile(r"[0-9]{4,}|[A-Za-z0-9_\-]{20,}")
Status = OutboxMessage.Status


class DeliveryError(Exception):
    """The backend returned without error yet did not take the message."""


@dataclass
class DrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … at most 1 h."""
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_MAX)


def outbox_drain_due(*, limit: int = DRAIN_LIMIT) -> DrainResult:
    """Delivers the messages that are due, one by one, until none is left or `limit` is reached."""
    result = DrainResult()
    for _ in range(limit):
        message = _claim_next()
        if message is None:
            break
        _deliver_and_mark(message, result)
    return result


def _claim_next() -> OutboxMessage | None:
    """Step 1: takes the oldest due message for this worker (see the module's docstring)."""
    with transaction.atomic():
        now = timezone.now()
        due = OutboxMessage.objects.filter(
            status__in=OutboxMessage.DUE_STATUSES, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        while (message := due.first()) is not None:
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                # A worker died during the last allowed attempt: give up rather than send again.
                message.status = Status.FAILED
                message.last_error = "the worker stopped during the last attempt"
                message.save(update_fields=["status", "last_error"])
                logger.error(
                    "outbox message %s (%s) failed: lease expired", message.pk, message.kind
                )
                continue
            message.status = Status.SENDING
            message.attempts += 1
            message.next_attempt_at = now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
            message.save(update_fields=["status", "attempts", "next_attempt_at"])
            return message
    return None


def _deliver_and_mark(message: OutboxMessage, result: DrainResult) -> None:
    """Steps 2 and 3."""
    try:
        _deliver(message)
    except Exception as error:  # any backend failure is retried; none may stop the drain
        _mark_failed(message, error, result)
        return
    now = timezone.now()
    # Unconditional: once the backend took the message it was sent, whoever else holds the row.
    OutboxMessage.objects.filter(pk=message.pk).exclude(status=Status.SENT).update(
        status=Status.SENT, sent_at=now, next_attempt_at=now, last_error=""
    )
    result.sent += 1
    logger.info("outbox message %s (%s, %s) sent", message.pk, message.channel, message.kind)


def _deliver(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.EMAIL:
        _send_email(message)
    elif message.channel == OutboxMessage.Channel.SMS:
        sms_provider().send(phone=message.recipient, text=message.body, message_id=str(message.uid))
    elif message.channel == OutboxMessage.Channel.PUSH:
        push_send(message)
    else:
        raise DeliveryError(f"unknown channel {message.channel!r}")


def _send_email(message: OutboxMessage) -> None:
    """Through whatever backend EMAIL_URL configured (SMTP in production)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": f"<{message.uid}@{domain}>"},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    if email.send(fail_silently=False) != 1:
        raise DeliveryError("the mail backend did not take the message")


def _mark_failed(message: OutboxMessage, error: Exception, result: DrainResult) -> None:
    final = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    described = describe_error(error, message)
    # Only while the claim is still ours: after a lost lease another worker owns the row.
    OutboxMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, attempts=message.attempts
    ).update(
        status=Status.FAILED if final else Status.PENDING,
        next_attempt_at=timezone.now() + retry_delay(message.attempts),
        last_error=described,
    )
    if final:
        result.failed += 1
        logger.error(
            "outbox message %s (%s, %s) failed after %s attempts: %s",
            message.pk,
            message.channel,
            message.kind,
            message.attempts,
            described,
        )
    else:
        result.retried += 1
        logger.warning(
            "outbox message %s (%s, %s) attempt %s failed, will retry: %s",
            message.pk,
            message.channel,
            message.kind,
            message.attempts,
            described,
        )


def describe_error(error: Exception, message: OutboxMessage) -> str:
    """The error for `last_error` and logs: its type and text, with no code, token or body.

    A server may echo what it was sent; the body and recipient are cut out, and any run of 4+
    digits (codes) or 20+ letters and digits (link tokens) is masked.
    """
    text = str(error)
    for secret in (message.body, message.html, message.recipient):
        if secret:
            text = text.replace(secret, "…")
    text = _SECRET_LOOKING.sub("…", " ".join(text.split()))
    return f"{type(error).__name__}: {text}"[:500]
