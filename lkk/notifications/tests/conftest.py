"""Fixtures of the notification tests: a recording SMS provider, a frozen clock, a commit."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

import pytest

from lkk.notifications import outbox
from lkk.notifications.sms import SmsError

T0 = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC)


@dataclass
class RecordingSms:
    """An SMS provider that keeps what it was given; `failures` first sends raise SmsError."""

    failures: int = 0
    error_text: str = "gateway down"
    sent: list[dict[str, str]] = field(default_factory=list)
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, *, phone: str, text: str, message_id: str) -> None:
        with self.lock:
            self.calls += 1
            if self.failures:
                self.failures -= 1
                raise SmsError(self.error_text)
            self.sent.append({"phone": phone, "text": text, "id": message_id})


@pytest.fixture
def sms(monkeypatch) -> RecordingSms:
    provider = RecordingSms()
    monkeypatch.setattr(outbox, "sms_provider", lambda: provider)
    return provider


@pytest.fixture
def clock(time_machine):
    """The clock stands at T0 and moves only when told: `clock.move_to(T0 + ...)`."""
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the block queued for after the commit, as a commit would
    (pytest-django's `db` wraps every test in a transaction that is never committed)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
