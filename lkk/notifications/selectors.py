"""Reads for notifications."""

from __future__ import annotations

from lkk.notifications.models import OutboxMessage


def outbox_latest(*, limit: int = 50) -> list[OutboxMessage]:
    """The newest messages first, for the development outbox page."""
    return list(OutboxMessage.objects.order_by("-created_at", "-pk")[:limit])
