"""Writes for notifications: putting a message into the outbox (N2/N3).

Every code, link and decision the portal sends goes through `message_queue`, inside the
transaction of the change it announces. Delivery happens after the commit (`outbox.py`).
"""

from __future__ import annotations

import logging
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from lkk.core.errors import ApplicationError
from lkk.notifications.models import OutboxMessage
from lkk.notifications.tasks import outbox_drain

logger = logging.getLogger(__name__)

_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_PHONE = re.compile(r"\+?[0-9]{10,15}")


@transaction.atomic
def message_queue(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    kind: str,
    dedup_key: str | None = None,
    html: str | None = None,
) -> OutboxMessage:
    """Writes a message into the outbox in the caller's transaction; delivery follows the commit.

    A transaction that rolls back takes the message with it: nothing is sent. After the commit a
    Celery task delivers it (at once in the embedded default) and retries it with backoff; the
    every-minute beat picks up anything the after-commit hand-off missed (say, Redis was down).

    `dedup_key` makes queueing idempotent: a second call with the same key returns the message
    already queued and queues nothing, whatever its other arguments.
    """
    if channel not in OutboxMessage.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if not body:
        raise ValueError("a message needs a body")
    fields = {
        "channel": channel,
        "recipient": _recipient(channel, recipient),
        # A header: one line (Django refuses a newline in it, which would fail every attempt).
        "subject": " ".join(subject.split())[:255],
        "body": body,
        "html": html or "",
        "kind": kind,
    }
    if dedup_key is None:
        message = OutboxMessage.objects.create(**fields)
    else:
        message, created = OutboxMessage.objects.get_or_create(dedup_key=dedup_key, defaults=fields)
        if not created:
            return message
    transaction.on_commit(_drain_after_commit, robust=True)
    return message


def _drain_after_commit() -> None:
    # robust=True above: if the broker is unreachable the caller's request still succeeds (its
    # transaction has committed) and the beat's next drain delivers the message.
    outbox_drain.delay()


def _recipient(channel: str, recipient: str) -> str:
    recipient = recipient.strip()
    if channel == OutboxMessage.Channel.EMAIL:
        try:
            validate_email(recipient)
        except ValidationError:
            raise ApplicationError(
                _("Введите правильный адрес электронной почты."), field="recipient"
            ) from None
        return recipient
    phone = _PHONE_SEPARATORS.sub("", recipient)
    if not _PHONE.fullmatch(phone):
        raise ApplicationError(_("Введите правильный номер телефона."), field="recipient")
    return phone
