"""«Регистрация пользователя» (seed 003): a login of one's own, email, phone, password, captcha.

The form's data waits in the visitor's session (SESSION_KEY: {"id", "username", "email",
"phone", "password_hash"}; the password only as Django's hash) until the emailed link is
followed. The link's code subject is f"signup:{id}", so it confirms exactly this session's
pending sign-up. The link creates the account without any counterparty: the user binds
contracts later («Привязать договор», lkk/accounts/binding.py).

Reused, not copied: `password_check` (registration.py), `consent_record` (consent.py) and
the user creation of the registration requests, `moderation._user_create` (private).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from lkk.accounts import codes
from lkk.accounts.consent import consent_record
from lkk.accounts.models import RegistrationRequest
from lkk.accounts.moderation import _user_create
from lkk.accounts.registration import email_link_send, password_check
from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record
from lkk.core.errors import ApplicationError

SESSION_KEY = "lkk_signup"
SUBJECT_PREFIX = "signup:"


def _taken(*, username: str, email: str) -> None:
    users = get_user_model().objects
    if users.filter(Q(username__iexact=username) | Q(email__iexact=username)).exists():
        raise ApplicationError(_("Этот логин уже занят."), field="username")
    if users.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise ApplicationError(
            _("Этот адрес электронной почты уже используется. Войдите или восстановите пароль."),
            field="email",
        )


def signup_clean(
    *, username: str, email: str, phone: str, password: str, password2: str
) -> dict[str, Any]:
    """Checks the form's data; returns the pending sign-up (with the password's hash only)."""
    username = username.strip()
    email = codes.normalize_email(email)
    phone = phone.strip()
    if phone:
        try:
            phone = codes.normalize_phone(phone)
        except ApplicationError as exc:
            raise ApplicationError(exc.message, field="phone") from None
    _taken(username=username, email=email)
    password_check(password, password2, username=username, email=email)
    return {
        "id": uuid.uuid4().hex,
        "username": username,
        "email": email,
        "phone": phone,
        "password_hash": make_password(password),
    }


@transaction.atomic
def signup_submit(*, pending: dict[str, Any], request: HttpRequest) -> None:
    """Emails the confirmation link (the code and the message in one transaction)."""

    email_link_send(
        request=request,
        subject=f"{SUBJECT_PREFIX}{pending['id']}",
        email=pending["email"],
        route="accounts:signup_link",
    )
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_SUBMITTED,
        request=request,
        details={"form": "signup", "state": "email_sent"},
    )


def signup_link(*, token: str, pending: dict[str, Any] | None, request: HttpRequest):
    """The emailed link: creates the user (no counterparty yet) and records the consent."""
    record = codes.link_verify(purpose=codes.Purpose.REGISTRATION, token=token)
    if not pending or record.subject != f"{SUBJECT_PREFIX}{pending['id']}":
        raise ApplicationError(_("Ссылка недействительна. Запросите новую."))
    return _signup_complete(pending=pending, request=request)


@transaction.atomic
def _signup_complete(*, pending: dict[str, Any], request: HttpRequest):
    _taken(username=pending["username"], email=pending["email"])
    # An unsaved request only carries the data: `_user_create` reads its fields.
    user = _user_create(
        RegistrationRequest(
            username=pending["username"],
            email=pending["email"],
            phone=pending["phone"],
            password_hash=pending["password_hash"],
        )
    )
    consent_record(user=user, request=request)
    audit_record(
        kind=AuditEvent.Kind.REGISTRATION_APPROVED,
        request=request,
        user=user,
        details={"form": "signup", "policy": "no_counterparty"},
    )
    return user
