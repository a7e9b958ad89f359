"""The retention purge (lkk/core/retention.py): what is past its time goes, nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from lkk.accounts.models import (
    ConfirmationCode,
    RegistrationDocument,
    RegistrationRequest,
)
from lkk.audit.models import AuditEvent
from lkk.core.retention import retention_purge
from lkk.customers.tests.factories import UserFactory
from lkk.notifications.models import Notification, OutboxMessage
from lkk.notifications.services import notification_read, notify

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def _code(expires_at: dt.datetime) -> ConfirmationCode:
    return ConfirmationCode.objects.create(
        purpose="login", subject="x", channel="email", contact="a@b.ru", code_hash="h",
        expires_at=expires_at,
    )  # fmt: skip


def _request(state: str, **fields) -> RegistrationRequest:
    request = RegistrationRequest.objects.create(
        way="ul", state=state, username=f"u{RegistrationRequest.objects.count()}",
        email="new@client.ru", channel="email", contact="new@client.ru", **fields,
    )  # fmt: skip
    RegistrationDocument.objects.create(
        request=request, file=ContentFile(b"%PDF-1.4 x", name="d.pdf"), name="d.pdf",
        content_type="application/pdf", size=10,
    )  # fmt: skip
    return request


def test_old_rows_go_and_recent_ones_stay(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(T0, tick=False):
        old_code = _code(timezone.now() + dt.timedelta(minutes=10))
        old_draft = _request("draft")
        old_rejected = _request("rejected", decided_at=timezone.now())
        kept_pending = _request("pending")
        user = UserFactory(email="u@example.ru")
        read = notify(user, topic="news", title="прочитано")
        notification_read(user, read.pk)
        unread = notify(user, topic="news", title="не прочитано")
        OutboxMessage.objects.update(status="sent", sent_at=timezone.now())
        AuditEvent.objects.create(kind="login")
    old_file = old_draft.documents.get().file
    assert (tmp_path / old_file.name).exists()

    with time_machine.travel(T0 + dt.timedelta(days=400), tick=False):
        fresh_code = _code(timezone.now() + dt.timedelta(minutes=10))
        done = retention_purge()

    assert not ConfirmationCode.objects.filter(pk=old_code.pk).exists()
    assert ConfirmationCode.objects.filter(pk=fresh_code.pk).exists()
    assert not RegistrationRequest.objects.filter(pk__in=[old_draft.pk, old_rejected.pk]).exists()
    assert not (tmp_path / old_file.name).exists(), "the scans go with the request"
    assert RegistrationRequest.objects.filter(pk=kept_pending.pk).exists()
    assert (tmp_path / kept_pending.documents.get().file.name).exists()
    assert not OutboxMessage.objects.exists()
    assert list(Notification.objects.values_list("pk", flat=True)) == [unread.pk]
    assert AuditEvent.objects.count() == 1, "the audit log is kept three years"
    assert done["codes"] == 1 and done["registration_drafts"] == 1
    assert done["registration_rejected"] == 1 and done["notifications_read"] == 1


def test_zero_days_keeps_for_ever_and_the_command_runs(settings, capsys):
    settings.LKK_RETENTION_AUDIT_DAYS = 0
    with time_machine.travel(T0, tick=False):
        AuditEvent.objects.create(kind="login")
    with time_machine.travel(T0 + dt.timedelta(days=5000), tick=False):
        call_command("purge_expired")
    assert AuditEvent.objects.count() == 1
    assert "codes: 0" in capsys.readouterr().out
