"""message_queue: the message is written with the caller's change and leaves only after commit."""

from __future__ import annotations

import pytest
from django.db import transaction

from lkk.core.errors import ApplicationError
from lkk.notifications.models import OutboxMessage
from lkk.notifications.services import message_queue
from lkk.notifications.tasks import outbox_drain

pytestmark = pytest.mark.django_db


def _code_email(**overrides: object) -> OutboxMessage:
    values = {
        "channel": "email",
        "recipient": "ivanov@example.ru",
        "subject": "Код подтверждения",
        "body": "Ваш код: 482913",
        "kind": "login_code",
    }
    values.update(overrides)
    return message_queue(**values)


def test_a_rolled_back_transaction_sends_nothing(committed, mailoutbox):
    with committed() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        _code_email()
        raise RuntimeError("the change that the message announced failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert mailoutbox == []


def test_nothing_leaves_before_the_commit(committed, mailoutbox):
    with committed():
        message = _code_email()
        assert mailoutbox == [], "sent before its transaction committed"
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.PENDING
    assert len(mailoutbox) == 1


def test_a_committed_message_is_sent_once(committed, mailoutbox):
    with committed():
        message = _code_email()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert [m.to for m in mailoutbox] == [["ivanov@example.ru"]]
    assert "482913" in mailoutbox[0].body
    # Later drains (the beat, another commit's drain) do not send it again.
    outbox_drain.delay()
    outbox_drain()
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_real_commit_and_rollback(mailoutbox):
    """With real transactions (no test wrapper): the rollback sends nothing, the commit sends."""
    with pytest.raises(RuntimeError), transaction.atomic():
        _code_email(body="Ваш код: 111111")
        raise RuntimeError
    with transaction.atomic():
        _code_email(body="Ваш код: 222222")
    assert [m.body for m in mailoutbox] == ["Ваш код: 222222"]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_the_same_dedup_key_queues_one_message(committed, mailoutbox):
    with committed():
        first = _code_email(dedup_key="login_code:42")
        second = _code_email(dedup_key="login_code:42", body="Ваш код: 000000")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert [m.body for m in mailoutbox] == ["Ваш код: 482913"]


def test_html_alternative_and_a_stable_message_id(committed, mailoutbox, settings):
    settings.DEFAULT_FROM_EMAIL = "ЛКК <lk@energo.example.ru>"
    with committed():
        message = _code_email(html="<p>Ваш код: <b>482913</b></p>", subject="Код\r\nBcc: x@y.ru")
    sent = mailoutbox[0]
    assert sent.subject == "Код Bcc: x@y.ru", "a header stays on one line"
    assert sent.from_email == "ЛКК <lk@energo.example.ru>"
    assert [(a.content, a.mimetype) for a in sent.alternatives] == [
        ("<p>Ваш код: <b>482913</b></p>", "text/html")
    ]
    assert sent.message()["Message-ID"] == f"<{message.uid}@energo.example.ru>"


def test_a_phone_is_normalised():
    message = _code_email(channel="sms", recipient=" +7 (912) 345-67-89 ", subject="")
    assert message.recipient == "+79123456789"


@pytest.mark.parametrize(
    ("channel", "recipient"),
    [("email", "not-an-address"), ("email", "a@b.ru\nBcc: c@d.ru"), ("sms", "12-34"), ("sms", "")],
)
def test_a_bad_recipient_is_refused(channel, recipient):
    with pytest.raises(ApplicationError) as refused:
        _code_email(channel=channel, recipient=recipient)
    assert refused.value.field == "recipient"
    assert not OutboxMessage.objects.exists()


def test_an_unknown_channel_is_a_programming_error():
    with pytest.raises(ValueError, match="channel"):
        _code_email(channel="pigeon")
