"""Reads for notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from lkk.notifications.models import Notification, OutboxMessage


def outbox_latest(*, limit: int = 50) -> list[OutboxMessage]:
    """The newest messages first, for the development outbox page."""
    return list(OutboxMessage.objects.order_by("-created_at", "-pk")[:limit])


def notifications_of(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notices, newest first (the (user, -created_at, -id) index)."""
    rows = Notification.objects.filter(user=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")
