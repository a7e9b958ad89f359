"""Keeping data no longer than it is needed (152-FZ: personal data; SECURITY.md).

One table of policies: what is purged, after how many days (settings, from the environment),
by which date field. `retention_purge` runs daily from Celery beat and as
`manage.py purge_expired`; it deletes in batches by primary key, so that a table of millions
of rows is never locked at once, and removes the files of purged rows from storage.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

BATCH = 2000


@dataclass(frozen=True)
class Policy:
    """Rows of `model` whose `date_field` is older than `days_setting` days and that match
    `condition` are deleted; `files` names a related model's file field to delete with them
    (as "<related model label>.<fk to model>.<file field>")."""

    name: str
    model: str
    date_field: str
    days_setting: str
    condition: Callable[[], Q] = Q
    files: str = ""


POLICIES: tuple[Policy, ...] = (
    # Codes (and the decoys sent for unknown identifiers) are useless once expired.
    Policy("codes", "accounts.ConfirmationCode", "expires_at", "LKK_RETENTION_CODES_DAYS"),
    # A registration never confirmed: the data of someone who did not finish.
    Policy(
        "registration_drafts",
        "accounts.RegistrationRequest",
        "created_at",
        "LKK_RETENTION_DRAFTS_DAYS",
        lambda: Q(state="draft"),
        files="accounts.RegistrationDocument.request.file",
    ),
    # A refused registration: kept a while for questions and appeals, then deleted with scans.
    Policy(
        "registration_rejected",
        "accounts.RegistrationRequest",
        "decided_at",
        "LKK_RETENTION_REJECTED_DAYS",
        lambda: Q(state="rejected"),
        files="accounts.RegistrationDocument.request.file",
    ),
    # Delivered or abandoned messages: their bodies carry codes and personal data.
    Policy(
        "outbox",
        "notifications.OutboxMessage",
        "created_at",
        "LKK_RETENTION_OUTBOX_DAYS",
        lambda: Q(status__in=["sent", "failed"]),
    ),
    Policy(
        "notifications_read",
        "notifications.Notification",
        "read_at",
        "LKK_RETENTION_NOTIFICATIONS_DAYS",
        lambda: Q(read_at__isnull=False),
    ),
    # Sessions list rows of sessions long gone (Django's own rows: clearsessions below).
    Policy("user_sessions", "accounts.UserSession", "last_seen", "LKK_RETENTION_SESSIONS_DAYS"),
    # The audit log is kept longest: it is what an investigation reads.
    Policy("audit", "audit.AuditEvent", "created_at", "LKK_RETENTION_AUDIT_DAYS"),
)


def retention_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Deletes what every policy says is past its time; returns rows deleted per policy."""
    from django.contrib.sessions.models import Session

    now = now or timezone.now()
    done: dict[str, int] = {}
    for policy in POLICIES:
        days = getattr(settings, policy.days_setting)
        if days <= 0:  # 0 turns a policy off
            continue
        done[policy.name] = _purge(policy, now - dt.timedelta(days=days))
    done["django_sessions"] = Session.objects.filter(expire_date__lt=now).delete()[0]
    logger.info("retention purge: %s", done)
    return done


def _purge(policy: Policy, before: dt.datetime) -> int:
    model = apps.get_model(policy.model)
    rows = model._base_manager.filter(policy.condition(), **{f"{policy.date_field}__lt": before})
    deleted = 0
    while True:
        ids = list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        paths = _files_of(policy, ids)
        with transaction.atomic():
            model._base_manager.filter(pk__in=ids).delete()
        # After the commit: a rolled-back delete must not lose the files of kept rows.
        for storage, name in paths:
            storage.delete(name)
        deleted += len(ids)


def _files_of(policy: Policy, ids: list[int]) -> list[tuple[object, str]]:
    if not policy.files:
        return []
    app_model, fk, field = policy.files.rsplit(".", 2)
    related = apps.get_model(app_model)
    storage = related._meta.get_field(field).storage
    names = related._base_manager.filter(**{f"{fk}__in": ids}).values_list(field, flat=True)
    return [(storage, name) for name in names if name]
