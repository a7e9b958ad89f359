"""Writes of the API: tokens of the app (issue, touch, revoke) and idempotent answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from lkk.api.models import ApiToken, IdempotentAnswer
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record, client_ip

#: How often the token's `last_used_at` is written: not on every request.
TOUCH_EVERY = dt.timedelta(minutes=5)
USER_AGENT_MAX = 300


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, request: HttpRequest, user) -> tuple[ApiToken, str]:
    """A new token for a login the form has accepted; returns the row and the key (shown once).

    A login through the API is a login: the same signal as the site's (audit, axes forgets the
    account's failures from this address, `last_login`).
    """
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        key_hash=key_hash(key),
        expires_at=now + dt.timedelta(seconds=settings.API_TOKEN_TTL),
        last_used_at=now,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
    )
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return token, key


def token_for_key(key: str) -> ApiToken | None:
    """The live token of a key (not revoked, not expired), with its user; None otherwise."""
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    if token is None or token.revoked_at is not None or token.expires_at <= timezone.now():
        return None
    now = timezone.now()
    if now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_active(user):
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def token_revoke(*, request: HttpRequest, user, token_id: int) -> bool:
    """Ends one of the user's own tokens (logout, or «Завершить» in the profile)."""
    revoked = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(
            kind=AuditEvent.Kind.LOGOUT, request=request, user=user, details={"api_token": token_id}
        )
    return bool(revoked)


def tokens_revoke_all(*, user) -> int:
    """Every token of the user (a password change or reset ends the other sessions)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- Idempotency-Key ----------------------------------------------------------------------------


class IdempotencyConflict(Exception):
    """The key was used before with another body."""


def request_fingerprint(data: object) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent(
    *, user, key: str, data: object, compute: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """The answer for (user, key): the stored one, or `compute()`'s, stored for the next time.

    Returns (status, body, replayed). The same key with another body raises
    IdempotencyConflict. `compute` must itself be safe to run twice for one key (the readings
    service is, by its token): two concurrent first requests both compute, one stores.
    """
    fingerprint = request_fingerprint(data)
    found = IdempotentAnswer.objects.filter(user=user, key=key).first()
    if found is not None:
        if found.request_hash != fingerprint:
            raise IdempotencyConflict
        return found.status, found.body, True
    status, body = compute()
    if status >= 500:
        return status, body, False
    try:
        with transaction.atomic():
            IdempotentAnswer.objects.create(
                user=user, key=key, request_hash=fingerprint, status=status, body=body
            )
    except IntegrityError:
        found = IdempotentAnswer.objects.get(user=user, key=key)
        if found.request_hash != fingerprint:
            raise IdempotencyConflict from None
        return found.status, found.body, True
    return status, body, False
