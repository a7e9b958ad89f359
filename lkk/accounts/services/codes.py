"""One-time confirmation codes (A4; SECURITY.md "Accounts": one-time codes).

Registration, recovery, contact changes and contract binding confirm a contact the same way:
`code_issue` makes a 6-digit code (and, for email, a one-click link), the caller sends it, and
`code_verify` or `link_verify` accepts it once.

The rules, each enforced here and nowhere else:

- 6 digits from `secrets`; only an HMAC-SHA256 under SECRET_KEY over purpose|subject|code is
  stored, so a code confirms only its purpose and subject (a recovery code does not confirm a
  registration; user 1's code does not work for user 2). Rotating SECRET_KEY voids the codes in
  flight, at most `LKK_CODE_TTL_SECONDS` worth.
- Valid `LKK_CODE_TTL_SECONDS`; dead after `LKK_CODE_MAX_ATTEMPTS` wrong tries; single use.
- Only the latest code of a purpose and subject counts: a new one kills the earlier ones.
- A new code not before `LKK_CODE_RESEND_SECONDS` after the previous one of that purpose and
  subject; at most `LKK_CODE_DAILY_LIMIT_PER_CONTACT` codes a calendar day (TIME_ZONE) to one
  phone or email and `LKK_CODE_DAILY_LIMIT_PER_IP` from one IP address, whatever the purpose.
  On PostgreSQL the checks and the insert hold advisory locks so that parallel requests cannot
  all pass them at once; SQLite's write lock (BEGIN IMMEDIATE) serializes them anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.accounts.models import ConfirmationCode
from lkk.core.errors import ApplicationError

Purpose = ConfirmationCode.Purpose
Channel = ConfirmationCode.Channel

CODE_DIGITS = 6

# What people type between digits: spaces (also non-breaking), hyphens and dashes, brackets, dots.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—().]")
# Only ASCII digits: `\d` would also take "٣" or "²".
_CODE = re.compile(r"[0-9]{6}")
_PHONE = re.compile(r"(?:\+7|7|8)([0-9]{10})|(9[0-9]{9})")


@dataclass(frozen=True)
class IssuedCode:
    """What the caller sends: the code and the link token are in no repr, hence in no log."""

    code: str = field(repr=False)
    link_token: str | None = field(repr=False)
    contact: str  # normalized; send here
    expires_at: dt.datetime
    resend_after: int  # seconds before the next code may be requested


# --- Contacts -------------------------------------------------------------------------------


def normalize_email(value: str) -> str:
    """An email as stored and compared: trimmed and in lower case."""
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            _("Введите правильный адрес электронной почты."), field="email"
        ) from None
    return email


def normalize_phone(value: str) -> str:
    """A Russian phone as +7XXXXXXXXXX.

    Accepts +7XXXXXXXXXX, 8XXXXXXXXXX, 7XXXXXXXXXX and a bare 9XXXXXXXXX, with any spaces,
    brackets, dots and dashes between the digits: «+7 (912) 345-67-89», «8 912 345 67 89».
    """
    match = _PHONE.fullmatch(_SEPARATORS.sub("", value))
    if match is None:
        raise ApplicationError(_("Введите номер мобильного телефона: +7 и 10 цифр."), field="phone")
    return "+7" + (match.group(1) or match.group(2))


def _normalize_contact(*, channel: str, contact: str) -> str:
    if channel == Channel.EMAIL:
        return normalize_email(contact)
    return normalize_phone(contact)


# --- Issue ----------------------------------------------------------------------------------


@transaction.atomic
def code_issue(
    *,
    purpose: str,
    subject: str,
    channel: str,
    contact: str,
    ip: str | None,
    with_link: bool = False,
) -> IssuedCode:
    """Makes a new code for `purpose` and `subject`, to be sent to `contact` by `channel`.

    Refuses (ApplicationError) a resend within `LKK_CODE_RESEND_SECONDS` and anything beyond the
    daily caps per contact and per IP. Kills the earlier unused codes of this purpose and subject.
    `with_link` also makes a one-click link token (for email) that `link_verify` accepts.

    This module sends nothing: the caller queues the message with the code (and the link)
    through the outbox in the same transaction as this call, so a code is sent if and only if
    it was recorded. For a contact change put the new contact in the subject
    (e.g. f"user:{user.pk}:{email}"), so that the code confirms exactly the contact it went to.
    """
    purpose = Purpose(purpose)
    channel = Channel(channel)
    contact = _normalize_contact(channel=channel, contact=contact)
    ip = ip or None
    _lock(f"subject:{purpose}:{subject}", f"contact:{contact}", *([f"ip:{ip}"] if ip else []))

    wait = seconds_until_resend(purpose=purpose, subject=subject)
    if wait:
        raise ApplicationError(
            _("Новый код можно запросить через %(seconds)d с.") % {"seconds": wait}
        )
    now = timezone.now()
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = ConfirmationCode.objects.filter(created_at__gte=day_start)
    over_contact = (
        today.filter(contact=contact).count() >= settings.LKK_CODE_DAILY_LIMIT_PER_CONTACT
    )
    over_ip = ip is not None and (
        today.filter(ip=ip).count() >= settings.LKK_CODE_DAILY_LIMIT_PER_IP
    )
    if over_contact or over_ip:
        raise ApplicationError(
            _(
                "Превышено число запросов кода на сегодня. Попробуйте завтра или обратитесь "
                "в контактный центр."
            )
        )

    ConfirmationCode.objects.filter(
        purpose=purpose, subject=subject, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    link_token = secrets.token_urlsafe(32) if with_link else None
    record = ConfirmationCode.objects.create(
        purpose=purpose,
        subject=subject,
        channel=channel,
        contact=contact,
        code_hash=_code_hash(purpose=purpose, subject=subject, code=code),
        link_hash=_link_hash(purpose=purpose, token=link_token) if link_token else None,
        expires_at=now + dt.timedelta(seconds=settings.LKK_CODE_TTL_SECONDS),
        ip=ip,
    )
    return IssuedCode(
        code=code,
        link_token=link_token,
        contact=contact,
        expires_at=record.expires_at,
        resend_after=settings.LKK_CODE_RESEND_SECONDS,
    )


def seconds_until_resend(*, purpose: str, subject: str) -> int:
    """Whole seconds before a new code may be requested; 0 when it may be now."""
    last = (
        ConfirmationCode.objects.filter(purpose=purpose, subject=subject)
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is None:
        return 0
    left = settings.LKK_CODE_RESEND_SECONDS - (timezone.now() - last).total_seconds()
    return max(0, math.ceil(left))


# --- Verify ---------------------------------------------------------------------------------


def code_verify(*, purpose: str, subject: str, code: str) -> None:
    """Accepts the latest code of `purpose` and `subject` once, or raises ApplicationError.

    Spaces and dashes in `code` are ignored. Input that is not 6 digits is refused without
    counting a try: it cannot be a code, so it tells a guesser nothing, and a typo does not
    cost the customer one of their tries.

    Call it on its own, not inside the caller's transaction (`durable=True` enforces it): a
    wrong try must stay counted, and a rollback of the caller's work would undo the count and
    allow unlimited guesses. On success the code is used up even if the caller's next step
    fails; the customer then asks for a new one.
    """
    digits = _SEPARATORS.sub("", code)
    if not _CODE.fullmatch(digits):
        raise ApplicationError(_("Код — 6 цифр."), field="code")
    refusal = _code_check(purpose=purpose, subject=subject, code=digits)
    if refusal:
        raise ApplicationError(refusal, field="code")


@transaction.atomic(durable=True)
def _code_check(*, purpose: str, subject: str, code: str) -> str:
    """Checks the code and records the outcome; returns the refusal, "" when accepted.

    Returns rather than raises so that the transaction commits a wrong try.
    The row stays locked from the check to the update, so two concurrent verifications of one
    code cannot both succeed and no wrong try is lost.
    """
    record = (
        ConfirmationCode.objects.select_for_update()
        .filter(purpose=purpose, subject=subject)
        .order_by("-created_at", "-pk")
        .first()
    )
    if record is None:
        return _("Код не запрашивался. Запросите код.")
    max_attempts = settings.LKK_CODE_MAX_ATTEMPTS
    if record.used_at is not None:
        return _("Код уже использован. Запросите новый код.")
    if record.attempts >= max_attempts:
        return _("Код больше недействителен: превышено число попыток. Запросите новый код.")
    now = timezone.now()
    if now >= record.expires_at:
        return _("Срок действия кода истёк. Запросите новый код.")
    expected = _code_hash(purpose=purpose, subject=subject, code=code)
    if hmac.compare_digest(record.code_hash, expected):
        record.used_at = now
        record.save(update_fields=["used_at"])
        return ""
    record.attempts += 1
    record.save(update_fields=["attempts"])
    if record.attempts >= max_attempts:
        return _("Код больше недействителен: превышено число попыток. Запросите новый код.")
    return _("Неверный код. Осталось попыток: %(left)d.") % {"left": max_attempts - record.attempts}


@transaction.atomic
def link_verify(*, purpose: str, token: str) -> ConfirmationCode:
    """Accepts a one-click link once and returns its record (its `subject` says what it confirms).

    The same rules as the code: it expires with it, dies with it after too many wrong tries or
    when a newer code is issued, and using either one uses both. The token has 256 random bits,
    so there is nothing to count here.
    """
    record = (
        ConfirmationCode.objects.select_for_update()
        .filter(purpose=purpose, link_hash=_link_hash(purpose=purpose, token=token))
        .first()
    )
    if record is None or record.attempts >= settings.LKK_CODE_MAX_ATTEMPTS:
        raise ApplicationError(_("Ссылка недействительна. Запросите новую."))
    if record.used_at is not None:
        raise ApplicationError(_("Ссылка уже использована. Запросите новую."))
    now = timezone.now()
    if now >= record.expires_at:
        raise ApplicationError(_("Срок действия ссылки истёк. Запросите новую."))
    record.used_at = now
    record.save(update_fields=["used_at"])
    return record


# --- Internals ------------------------------------------------------------------------------


def _hmac(message: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _code_hash(*, purpose: str, subject: str, code: str) -> str:
    return _hmac(f"{purpose}|{subject}|{code}")


def _link_hash(*, purpose: str, token: str) -> str:
    # Looked up by this hash, so the subject cannot be in it; "link" keeps it apart from codes.
    return _hmac(f"{purpose}|link|{token}")


def _lock(*names: str) -> None:
    """Transaction-level advisory locks on PostgreSQL, taken in one order (no deadlocks)."""
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        int.from_bytes(hashlib.sha256(f"lkk-code:{n}".encode()).digest()[:8], "big", signed=True)
        for n in names
    )
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
