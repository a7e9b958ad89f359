"""Consent to the user agreement and personal data processing (A8, 152-FZ).

Accepting is its own checkbox; the version and the hash of the text, the time (UTC), the IP and
the browser are stored. A newer version asks again at the user's next login: the login marks the
session, and `ConsentMiddleware` keeps the user on the consent page until they accept.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from lkk.accounts import agreement_text
from lkk.accounts.models import Agreement, Consent
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record, client_ip

SESSION_FLAG = "lkk_consent_required"


def agreement_current() -> Agreement | None:
    return Agreement.objects.order_by("-published_at", "-pk").first()


def agreement_ensure_first() -> Agreement:
    """The first version, as its migration publishes it (for a database emptied since)."""
    agreement, _ = Agreement.objects.get_or_create(
        version=agreement_text.VERSION,
        defaults={
            "title": agreement_text.TITLE,
            "text": agreement_text.TEXT,
            "published_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        },
    )
    return agreement


def consent_needed(*, user) -> bool:
    """True when the user has not accepted the version in force (or withdrew it)."""
    current = agreement_current()
    if current is None:
        return False
    return not Consent.objects.filter(
        user=user, agreement=current, withdrawn_at__isnull=True
    ).exists()


def consent_check_at_login(*, request: HttpRequest, user) -> None:
    """Marks the session when the user must accept the agreement before going on."""
    if not user.is_staff and consent_needed(user=user):
        request.session[SESSION_FLAG] = True


@transaction.atomic
def consent_record(
    *,
    user,
    request: HttpRequest | None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> Consent:
    """Records the user's consent to the current agreement. `ip` and `user_agent` name where it
    was given when that was not this request (a registration an operator approves later)."""
    agreement = agreement_current()
    if agreement is None:
        raise LookupError("no agreement is published")
    meta = request.META if request is not None else {}
    consent, created = Consent.objects.get_or_create(
        user=user,
        agreement=agreement,
        defaults={
            "sha256": agreement.sha256,
            "ip": ip or (client_ip(request) if request is not None else None),
            "user_agent": (user_agent or meta.get("HTTP_USER_AGENT", ""))[:300],
        },
    )
    if not created and consent.withdrawn_at is not None:
        consent.withdrawn_at = None
        consent.save(update_fields=["withdrawn_at"])
    audit_record(
        kind=AuditEvent.Kind.CONSENT_GIVEN,
        request=request,
        user=user,
        details={"version": agreement.version, "sha256": agreement.sha256},
    )
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_FLAG, None)
    return consent


@transaction.atomic
def consent_withdraw(*, user, request: HttpRequest | None) -> None:
    """Withdrawal is logged; the portal then asks again before any customer page."""
    updated = Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    if updated:
        audit_record(kind=AuditEvent.Kind.CONSENT_WITHDRAWN, request=request, user=user)
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_FLAG] = True
