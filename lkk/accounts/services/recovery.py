"""Password recovery (A7): find the account, send a code to the contact on file, set a password.

The answer never tells whether an account exists (SECURITY.md "Accounts"), neither by its text
nor by its time: a miss does the same work as a hit. The lookups run the same queries whatever
they find; a miss then issues a code to a decoy (a subject and a contact derived from what was
typed, under SECRET_KEY, that nobody receives) through the same `code_issue` and the same message
written to the outbox, whose row alone is rolled back. The decoy's code row stays, so the next
steps (wrong codes, the resend pause, the daily caps) answer for a miss as they do for a hit,
from the same code. A refused code (resend pause, daily cap) is not shown at this step either.
A password is never sent: the code goes out, the new password is typed by the customer.

The delivery itself is no part of the request in production (the outbox is drained by a Celery
worker; the request only hands the drain to the broker, for a hit and a decoy alike). In the
embedded default, where Celery tasks run at once, a hit's message is delivered inside the
request after the commit, and nothing can imitate that for a decoy.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
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
from lkk.notifications.tasks import outbox_drain

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Target:
    """Whose password is reset and where the code goes: a contact on file, never one typed.

    A decoy (`user_id` None) stands for a miss: its code goes to a contact nobody has.
    """

    user_id: int | None
    channel: str
    contact: str
    decoy: str = ""

    @property
    def subject(self) -> str:
        return f"{DECOY_PREFIX}{self.decoy}" if self.user_id is None else subject_of(self.user_id)


def subject_of(user_id: int) -> str:
    return f"user:{user_id}"


DECOY_PREFIX = "decoy:"
DECOY_DOMAIN = "decoy.invalid"


def decoy_target(*, channel: str, material: str = "", digest: str = "") -> Target:
    """The stand-in for a miss: the same `material` (what was typed) gives the same decoy, so a
    repeated request meets the same resend pause and daily cap as a repeated hit would.

    The contact is of the channel a hit of that kind would use, and of no one: an address in the
    reserved `.invalid` domain, or a number +700… (no Russian number starts so).
    """
    if not digest:
        key = f"lkk.accounts.recovery.decoy:{settings.SECRET_KEY}".encode()
        digest = hmac.new(key, material.encode(), hashlib.sha256).hexdigest()[:32]
    if channel == Channel.SMS:
        contact = f"+700{int(digest, 16) % 10**8:08d}"
    else:
        contact = f"{digest[:24]}@{DECOY_DOMAIN}"
    return Target(user_id=None, channel=channel, contact=contact, decoy=digest)


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


def recovery_target(
    *, identifier: str, contract_number: str = "", email: str = ""
) -> Target | None:
    """The account named by a login, an email, a phone, an ИНН with a contract number, or a
    login with the email of the account (seed 003); None for a miss.

    By ИНН+договор: a user who acts for that counterparty (an access grant) and whose email or
    phone is listed in the contract; the code goes to the user's own email if set, else to the
    user's phone. Anything ambiguous (two such users) or unknown is None.

    Each kind runs the same queries whether or not it finds anything (no early return on a
    miss), so that its time does not tell either.
    """
    users = get_user_model()._default_manager.filter(is_active=True)
    identifier = identifier.strip()
    if contract_number.strip():
        return _target_by_contract(users, inn=identifier, number=contract_number)
    if email.strip():
        return _target_by_pair(users, login=identifier, email=email)
    if "@" in identifier:
        return _target_by_contact(users, identifier, "email", _email_or_empty(identifier))
    phone = _phone_or_empty(identifier)
    if phone:
        return _target_by_contact(users, identifier, "phone", phone)
    return _target_of(users.filter(username__iexact=identifier).order_by("pk").first())


def _target_by_contact(users, identifier: str, field: str, value: str) -> Target | None:
    """By an email or a phone of one account; else by a login spelled like it, as before."""
    by_value = Q(**{f"{field}__iexact": value}) if value else Q(pk__in=[])
    found = list(users.filter(by_value | Q(username__iexact=identifier)).order_by("pk")[:10])
    same = [u for u in found if value and (getattr(u, field) or "").strip().lower() == value]
    if len(same) == 1:
        return _target_of(same[0], channel=Channel.EMAIL if field == "email" else Channel.SMS)
    named = [u for u in found if u.username.lower() == identifier.lower()]
    return _target_of(named[0] if named else None)


def _target_by_pair(users, *, login: str, email: str) -> Target | None:
    """Seed 003: the login and the email of one account; the code goes to that email.

    An email that is not one (the form refuses it) matches only accounts without an email,
    which have no email to send to: a miss, after the same query.
    """
    email = _email_or_empty(email)
    found = list(users.filter(username__iexact=login, email__iexact=email)[:2])
    if len(found) != 1:
        return None
    return _target_of(found[0], channel=Channel.EMAIL)


# Matches ИНН and contract number against the whole billing mirror: no one is logged in.
@scopes_disabled()
def _target_by_contract(users, *, inn: str, number: str) -> Target | None:
    inn = _SPACES.sub("", inn)
    contract = (
        Contract.objects.filter(number__iexact=number.strip(), counterparty__inn=inn)
        .select_related("counterparty")
        .first()
    )
    # The same three queries on a miss, matching nothing.
    contract_id = contract.pk if contract else 0
    counterparty_id = contract.counterparty_id if contract else 0
    listed = list(Contact.objects.filter(contract=contract_id).values_list("kind", "value"))
    emails = {_email_or_empty(v) for k, v in listed if k == Contact.Kind.EMAIL} - {""}
    phones = {_phone_or_empty(v) for k, v in listed if k == Contact.Kind.PHONE} - {""}
    grants = AccessGrant.objects.filter(counterparty=counterparty_id).filter(
        Q(all_contracts=True) | Q(contracts=contract_id)
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

    For a decoy the same work is done, and the message's row is rolled back (nothing is sent);
    the outbox is still asked to drain after the commit, as it is for a hit.
    Raises ApplicationError when the code is refused (resend pause, daily caps).
    """
    email = target.channel == Channel.EMAIL
    issued = code_issue(
        purpose=Purpose.RECOVERY,
        subject=target.subject,
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
    with transaction.atomic():
        message_queue(
            channel=target.channel,
            recipient=issued.contact,
            subject=_("Восстановление пароля"),
            body=body,
            kind="password_reset",
        )
        if target.user_id is None:
            transaction.set_rollback(True)
    if target.user_id is None:
        transaction.on_commit(outbox_drain.delay, robust=True)


def _decoy_for(kind: str, *parts: str) -> Target:
    material = "|".join([kind, *(" ".join(p.split()).lower() for p in parts)])
    return decoy_target(
        channel=Channel.SMS if kind == "phone" else Channel.EMAIL, material=material
    )


def _kind_of(identifier: str, contract_number: str, email: str) -> str:
    if contract_number.strip():
        return "contract"
    if email.strip():
        return "pair"
    if "@" in identifier:
        return "email"
    return "phone" if _phone_or_empty(identifier) else "login"


def recovery_start(
    *, identifier: str, contract_number: str, request: HttpRequest, email: str = ""
) -> Target:
    """Finds the account and sends it a code; a miss sends one to its decoy instead.

    Returns the target (a decoy for a miss); the caller answers the same way either way. A
    refused code is not reported here (it would tell that the account exists); the customer
    sees the resend pause on the next step.
    """
    target = recovery_target(identifier=identifier, contract_number=contract_number, email=email)
    if target is None:
        kind = _kind_of(identifier, contract_number, email)
        target = _decoy_for(kind, identifier, contract_number, email)
    with contextlib.suppress(ApplicationError):
        recovery_code_send(target=target, request=request)
    return target


def recovery_resend(*, state: dict, request: HttpRequest) -> None:
    """A new code to the same contact on file (to the decoy for a miss); silent on a refusal."""
    user = get_user_model()._default_manager.filter(pk=state.get("user") or 0).first()
    target = _target_of(user, channel=state.get("channel"))
    if target is None:
        subject = state_subject(state)
        if subject.startswith(DECOY_PREFIX):
            target = decoy_target(channel=state.get("channel"), digest=subject[len(DECOY_PREFIX) :])
        else:  # the account's contact went away meanwhile
            target = decoy_target(channel=state.get("channel") or Channel.EMAIL, material=subject)
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
    # The app's logins (API tokens) have no auth hash to go stale: they are revoked here.
    from lkk.api.services import tokens_revoke_all

    tokens_revoke_all(user=user)
    audit_record(
        kind=AuditEvent.Kind.PASSWORD_RESET,
        request=request,
        user=user,
        details={"method": "recovery"},
    )
    return user


# --- The recovery in progress, kept in the visitor's session ----------------------------------

#: {"user": id or None (a miss), "subject" (of the codes: the account's or the decoy's),
#: "channel", "sent_at", "verified_at"}.
SESSION_KEY = "lkk_recovery"


def state_new(target: Target, *, verified: bool = False) -> dict:
    now = timezone.now().timestamp()
    return {
        "user": target.user_id,
        "subject": target.subject,
        "channel": target.channel,
        "sent_at": now,
        "verified_at": now if verified else None,
    }


def state_subject(state: dict) -> str:
    if state.get("subject"):
        return state["subject"]
    # A recovery started before the decoys (a session of an older release).
    return subject_of(state["user"]) if state.get("user") else f"{DECOY_PREFIX}none"


def state_seconds_until_resend(state: dict) -> int:
    left = settings.LKK_CODE_RESEND_SECONDS - (timezone.now().timestamp() - state["sent_at"])
    return max(0, math.ceil(left))


def state_verified(state: dict) -> bool:
    at = state.get("verified_at")
    return bool(
        at and state.get("user") and timezone.now().timestamp() - at < settings.LKK_CODE_TTL_SECONDS
    )


def recovery_code_check(*, state: dict, code: str) -> None:
    """Accepts the code for the recovery in `state` or raises ApplicationError (field "code").

    A miss checks the code of its decoy: the same messages, the same count of tries, the same
    expiry and the same work as a hit. Marks `state` verified on success (a decoy's code is never
    sent, and a verified miss still sets nothing: `state_verified` needs an account); the caller
    saves it in the session.
    """
    code_verify(purpose=Purpose.RECOVERY, subject=state_subject(state), code=code)
    state["verified_at"] = timezone.now().timestamp()


def recovery_link_check(*, token: str) -> dict:
    """Accepts a one-click link once; returns the new session state (verified)."""
    record = link_verify(purpose=Purpose.RECOVERY, token=token)
    prefix, _sep, user_id = record.subject.partition(":")
    if prefix != "user" or not user_id.isdigit():
        raise ApplicationError(_("Ссылка недействительна. Запросите новую."))
    target = Target(user_id=int(user_id), channel=record.channel, contact=record.contact)
    return state_new(target, verified=True)
