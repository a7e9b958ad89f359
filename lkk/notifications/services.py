"""Writes for notifications: putting a message into the outbox (N2/N3).

Every code, link and decision the portal sends goes through `message_queue`, inside the
transaction of the change it announces. Delivery happens after the commit (`outbox.py`).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.core.errors import ApplicationError
from lkk.notifications.models import Notification, OutboxMessage, PushSubscription
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
    if channel == OutboxMessage.Channel.PUSH:
        if not recipient.isascii() or not recipient.isdigit():
            raise ValueError("a push message names a PushSubscription id")
        return recipient
    phone = _PHONE_SEPARATORS.sub("", recipient)
    if not _PHONE.fullmatch(phone):
        raise ApplicationError(_("Введите правильный номер телефона."), field="recipient")
    return phone


# --- In-portal notifications (N1) ------------------------------------------------------------

#: Topics whose email/SMS copies the user switches in the profile (NotificationPreferences has
#: `<topic>_email` and `<topic>_sms`); the other topics are sent by email whenever the user has one.
PREFERENCE_TOPICS = frozenset({"applications", "readings", "outages", "news"})


@transaction.atomic
def notify(
    user,
    *,
    topic: str,
    title: str,
    body: str = "",
    url: str = "",
    dedup_key: str | None = None,
    channels: tuple[str, ...] | None = None,
) -> Notification:
    """Tells `user` about an event: a notice in «Уведомления», and a copy by email/SMS as the
    user's preferences ask for it, all in the caller's transaction (the outbox delivers after
    the commit). `dedup_key` makes it idempotent: the same key notifies once.

    `url` is a path inside the portal; `channels` overrides the preferences (say, ("email",)
    for an appointment reminder the user asked for when booking).
    """
    if topic not in Notification.Topic.values:
        raise ValueError(f"unknown topic {topic!r}")
    if (url and not url.startswith("/")) or url.startswith("//"):
        raise ValueError("a notification links only inside the portal")
    fields = {"user": user, "topic": topic, "title": title[:255], "body": body, "url": url}
    if dedup_key is None:
        notification = Notification.objects.create(**fields)
    else:
        notification, created = Notification.objects.get_or_create(
            dedup_key=dedup_key, defaults=fields
        )
        if not created:
            return notification
    _unread_recount(user.pk)
    for channel in channels if channels is not None else _wanted_channels(user, topic):
        recipient = user.email if channel == OutboxMessage.Channel.EMAIL else user.phone
        if not recipient:
            continue
        text = body or title
        if url:
            text = f"{text}\n\n{settings.SITE_URL.rstrip('/')}{url}"
        try:
            message_queue(
                channel=channel,
                recipient=recipient,
                subject=title,
                body=text,
                kind=f"notice_{topic}",
                dedup_key=f"notice:{notification.pk}:{channel}",
            )
        except ApplicationError:
            # A contact the user keeps in a form the gateway refuses: the notice in the portal
            # stands; the copy is skipped and logged without the address.
            logger.warning("notice %s: %s copy skipped, bad recipient", notification.pk, channel)
    _push_copies(user, notification)
    return notification


def _push_copies(user, notification: Notification) -> None:
    """A push copy of the notice to each browser/app where the user turned Web Push on (P2)."""
    from lkk.notifications.push import push_enabled, push_payload

    if not push_enabled():
        return
    payload = push_payload(title=notification.title, body=notification.body, url=notification.url)
    for subscription_id in PushSubscription.objects.filter(user=user).values_list("pk", flat=True):
        message_queue(
            channel=OutboxMessage.Channel.PUSH,
            recipient=str(subscription_id),
            subject=notification.title,
            body=payload,
            kind=f"notice_{notification.topic}",
            dedup_key=f"notice:{notification.pk}:push:{subscription_id}",
        )


def _wanted_channels(user, topic: str) -> tuple[str, ...]:
    if topic not in PREFERENCE_TOPICS:
        return (OutboxMessage.Channel.EMAIL,)
    from lkk.accounts.services.profile import preferences_of

    prefs = preferences_of(user)
    wanted = []
    if getattr(prefs, f"{topic}_email"):
        wanted.append(OutboxMessage.Channel.EMAIL)
    if getattr(prefs, f"{topic}_sms"):
        wanted.append(OutboxMessage.Channel.SMS)
    return tuple(wanted)


def notification_read(user, notification_id: int) -> Notification | None:
    """Marks the user's own notification read; another user's id finds nothing (None)."""
    with transaction.atomic():
        notification = Notification.objects.filter(user=user, pk=notification_id).first()
        if notification is None:
            return None
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            _unread_recount(user.pk)
    return notification


@transaction.atomic
def notifications_read_all(user) -> int:
    """Marks every unread notification of the user read; returns how many."""
    count = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        _unread_recount(user.pk)
    return count


def _unread_recount(user_id: int) -> None:
    """Sets the menu's count from the rows themselves (one UPDATE): it cannot drift."""
    from lkk.accounts.models import User

    unread = (
        Notification.objects.filter(user_id=user_id, read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    User.objects.filter(pk=user_id).update(unread_notifications=Coalesce(Subquery(unread), 0))
