"""Web Push (P2): delivering an outbox message of the `push` channel through pywebpush.

The message's body is the JSON the service worker shows (`{"title", "body", "url"}`), encrypted
for the subscription (aes128gcm) and signed with the portal's VAPID key (VAPID_PRIVATE_KEY,
VAPID_SUBJECT). A subscription the push service has forgotten (404, 410) is deleted: that
message is then done, not retried.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from pywebpush import WebPushException, webpush

from lkk.notifications.models import OutboxMessage, PushSubscription

logger = logging.getLogger(__name__)
GONE = {404, 410}


def push_enabled() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def push_send(message: OutboxMessage) -> None:
    subscription = PushSubscription.objects.filter(pk=int(message.recipient)).first()
    if subscription is None:
        return  # unsubscribed since: nothing to deliver
    if not push_enabled():
        raise RuntimeError("VAPID keys are not configured")
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=message.body,
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            timeout=settings.PUSH_TIMEOUT,
            ttl=24 * 3600,
            headers={"Topic": str(message.uid).replace("-", "")[:32]},
        )
    except WebPushException as error:
        status = getattr(getattr(error, "response", None), "status_code", None)
        if status in GONE:
            subscription.delete()
            logger.info("push subscription %s gone (%s): deleted", subscription.pk, status)
            return
        raise


def push_payload(*, title: str, body: str, url: str) -> str:
    return json.dumps({"title": title, "body": body, "url": url or "/notifications/"})


def push_subscribe(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = ""):
    """Saves (or moves to this user) the browser's subscription; returns it."""
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]},
    )
    return subscription


def push_unsubscribe(*, user) -> int:
    deleted, _ = PushSubscription.objects.filter(user=user).delete()
    return deleted
