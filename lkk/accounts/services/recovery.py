"""Password recovery (A7): find the account, send a code to the contact on file, set a password.

The answer never tells whether an account exists (SECURITY.md "Accounts"): the caller shows one
text for a hit and a miss, a miss costs a password hash (about what a hit spends on the code and
the message), and a refused code (resend pause, daily cap) is not shown at this step either.
A password is never sent: the code goes out, the new password is typed by the customer.
"""

from __future__ import annotations

import contextlib
import math
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.accounts.services.codes import (
    Channel,
    Purpose,
    code_issue,
    code_verify,
    link_verify,
    normalize_email,
    normalize_phone,
)
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record, client_ip
from lkk.core.errors import ApplicationError
from lkk.customers.access import scopes_disabled
from lkk.customers.models import AccessGrant, Contact, Contract
from lkk.notifications.services import message_queue

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Target:
    """Whose password is reset and where the code goes: a contact on file, never one typed."""

    user_id: int
    channel: str
    contact: str


def subject_of(user_id: int) -> str:
    return f"user:{user_id}"


def _phone_or_empty(value: str) -> str:
    try:
        return normalize_phone(value)
    except ApplicationError:
        return ""


def _email_or_empty(value: str) -> str:
    try:
        return normalize_email(value)
    except ApplicationError:
        return ""


def _target_of(user, *, channel: str | None = None) -> Target | None:
    """The user's contact on file: the email if set (or asked for), else the phone."""
    if user is None or not user.is_active:
        return None
    email = _email_or_empty(user.email) if user.email else ""
    phone = _phone_or_empty(user.phone) if user.phone else ""
    if channel in (None, Channel.EMAIL) and email:
        return Target(user_id=user.pk, channel=Channel.EMAIL, contact=email)
    if channel in (None, Channel.SMS) and phone:
        return Target(user_id=user.pk, channel=Channel.SMS, contact=phone)
    return None


def recovery_target(*, identifier: str, contract_number: str = "") -> Target | None:
    """The account named by a login, an email, a phone, or an ИНН with a contract number.

    By ИНН+договор: a user who acts for that counterparty (an access grant) and whose email or
    phone is listed in the contract; the code goes to the user's own email if set, else to the
    user's phone. Anything ambiguous (two such users) or unknown is None.
    """
    users = get_user_model()._default_manager.filter(is_active=True)
    identifier = identifier.strip()
    if contract_number.strip():
        return _target_by_contract(users, inn=identifier, number=contract_number)
    if "@" in identifier:
        email = _email_or_empty(identifier)
        found = list(users.filter(email__iexact=email)[:2]) if email else []
        if len(found) == 1:
            return _target_of(found[0], channel=Channel.EMAIL)
    phone = _phone_or_empty(identifier)
    if phone:
        found = list(users.filter(phone=phone)[:2])
        if len(found) == 1:
            return _target_of(found[0], channel=Channel.SMS)
    user = users.filter(username__iexact=identifier).first()
    return _target_of(user)


# Matches ИНН and contract number against the whole billing mirror: no one is logged in.
@scopes_disabled()
def _target_by_contract(users, *, inn: str, number: str) -> Target | None:
    inn = _SPACES.sub("", inn)
    contract = (
        Contract.objects.filter(number__iexact=number.strip(), counterparty__inn=inn)
        .select_related("counterparty")
        .first()
    )
    if contract is None:
        return None
    listed = list(Contact.objects.filter(contract=contract).values_list("kind", "value"))
    emails = {_email_or_empty(v) for k, v in listed if k == Contact.Kind.EMAIL} - {""}
    phones = {_phone_or_empty(v) for k, v in listed if k == Contact.Kind.PHONE} - {""}
    grants = AccessGrant.objects.filter(counterparty=contract.counterparty_id).filter(
        Q(all_contracts=True) | Q(contracts=contract)
    )
    holders = users.filter(pk__in=grants.values("user_id")).order_by("pk")
    matches = []
    for user in holders:
        email = _email_or_empty(user.email) if user.email else ""
        phone = _phone_or_empty(user.phone) if user.phone else ""
        if (email and email in emails) or (phone and phone in phones):
            matches.append(_target_of(user))
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def recovery_code_send(*, target: Target, request: HttpRequest) -> None:
    """Issues a recovery code and queues it to the contact on file, in one transaction.

    Raises ApplicationError when the code is refused (resend pause, daily caps).
    """
    email = target.channel == Channel.EMAIL
    issued = code_issue(
        purpose=Purpose.RECOVERY,
        subject=subject_of(target.user_id),
        channel=target.channel,
        contact=target.contact,
        ip=client_ip(request),
        with_link=email,
    )
    if email:
        link = request.build_absolute_uri(
            reverse("accounts:password_reset_link", kwargs={"token": issued.link_token})
        )
        body = _(
            "Код для восстановления пароля в личном кабинете: %(code)s\n"
            "Или перейдите по ссылке: %(link)s\n"
            "Код действует 10 минут. Если вы не запрашивали восстановление, не сообщайте "
            "код никому и проигнорируйте это письмо."
        ) % {"code": issued.code, "link": link}
    else:
        body = _("Код восстановления пароля: %(code)s. Никому его не сообщайте.") % {
            "code": issued.code
        }
    message_queue(
        channel=target.channel,
        recipient=issued.contact,
        subject=_("Восстановление пароля"),
        body=body,
        kind="password_reset",
    )


def recovery_start(*, identifier: str, contract_number: str, request: HttpRequest) -> Target | None:
    """Finds the account and sends it a code; returns whom it found, or None for a miss.

    The caller answers the same way either way. A refused code is not reported here (it would
    tell that the account exists); the customer sees the resend pause on the next step.
    """
    target = recovery_target(identifier=identifier, contract_number=contract_number)
    if target is None:
        # The same timing class as a hit: a password hash stands in for issuing and queueing.
        make_password(secrets.token_urlsafe(16))
        return None
    with contextlib.suppress(ApplicationError):
        recovery_code_send(target=target, request=request)
    return target


def recovery_resend(*, user_id: int | None, channel: str | None, request: HttpRequest) -> None:
    """A new code to the same contact on file; silent on a miss and on a refusal."""
    user = (
        get_user_model()._default_manager.filter(pk=user_id).first()
        if user_id is not None
        else None
    )
    target = _target_of(user, channel=channel)
    if target is None:
        make_password(secrets.token_urlsafe(16))
        return
    with contextlib.suppress(ApplicationError):
        recovery_code_send(target=target, request=request)


@transaction.atomic
def recovery_password_set(*, user_id: int, password: str, request: HttpRequest | None):
    """Sets the new password and audits it. The password goes nowhere else.

    Changing the password changes the session auth hash, so every other session of the user
    ends at its next request.
    """
    user = get_user_model()._default_manager.select_for_update().get(pk=user_id, is_active=True)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        kind=AuditEvent.Kind.PASSWORD_RESET,
        request=request,
        user=user,
        details={"method": "recovery"},
    )
    return user


# --- The recovery in progress, kept in the visitor's session ----------------------------------

#: {"user": id or None (a miss), "channel", "sent_at", "attempts" (a miss), "verified_at"}.
SESSION_KEY = "lkk_recovery"
_CODE = re.compile(r"[0-9]{6}")
_CODE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—().]")


def state_new(target: Target | None, *, verified: bool = False) -> dict:
    now = timezone.now().timestamp()
    return {
        "user": target.user_id if target else None,
        "channel": target.channel if target else None,
        "sent_at": now,
        "attempts": 0,
        "verified_at": now if verified else None,
    }


def state_seconds_until_resend(state: dict) -> int:
    left = settings.LKK_CODE_RESEND_SECONDS - (timezone.now().timestamp() - state["sent_at"])
    return max(0, math.ceil(left))


def state_verified(state: dict) -> bool:
    at = state.get("verified_at")
    return bool(
        at and state.get("user") and timezone.now().timestamp() - at < settings.LKK_CODE_TTL_SECONDS
    )


def recovery_code_check(*, state: dict, code: str) -> None:
    """Accepts the code for the account in `state` or raises ApplicationError (field "code").

    A miss has no code: it answers as a wrong code would (the same messages, the same count of
    tries, the same expiry), so that this step does not tell a miss from a hit either.
    Marks `state` verified on success; the caller saves it in the session.
    """
    if state.get("user") is not None:
        code_verify(purpose=Purpose.RECOVERY, subject=subject_of(state["user"]), code=code)
        state["verified_at"] = timezone.now().timestamp()
        return
    make_password(secrets.token_urlsafe(16))
    if not _CODE.fullmatch(_CODE_SEPARATORS.sub("", code)):
        raise ApplicationError(_("Код — 6 цифр."), field="code")
    max_attempts = settings.LKK_CODE_MAX_ATTEMPTS
    dead = _("Код больше недействителен: превышено число попыток. Запросите новый код.")
    if state["attempts"] >= max_attempts:
        raise ApplicationError(dead, field="code")
    if timezone.now().timestamp() - state["sent_at"] >= settings.LKK_CODE_TTL_SECONDS:
        raise ApplicationError(_("Срок действия кода истёк. Запросите новый код."), field="code")
    state["attempts"] += 1
    if state["attempts"] >= max_attempts:
        raise ApplicationError(dead, field="code")
    raise ApplicationError(
        _("Неверный код. Осталось попыток: %(left)d.") % {"left": max_attempts - state["attempts"]},
        field="code",
    )


def recovery_link_check(*, token: str) -> dict:
    """Accepts a one-click link once; returns the new session state (verified)."""
    record = link_verify(purpose=Purpose.RECOVERY, token=token)
    prefix, _sep, user_id = record.subject.partition(":")
    if prefix != "user" or not user_id.isdigit():
        raise ApplicationError(_("Ссылка недействительна. Запросите новую."))
    target = Target(user_id=int(user_id), channel=record.channel, contact=record.contact)
    return state_new(target, verified=True)
