"""The profile (A11): password, email and phone changes, notification preferences, sessions.

SECURITY.md "Accounts": changing the password needs the current one and ends the other sessions;
changing email or phone needs the password and a code sent to the new contact. Each change is in
the audit log, with the contacts masked.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from lkk.accounts.forms.auth import password_check_lockout_message
from lkk.accounts.models import NotificationPreferences, User, UserSession
from lkk.accounts.services import throttle
from lkk.accounts.services.codes import (
    Channel,
    Purpose,
    code_issue,
    code_verify,
    normalize_email,
    normalize_phone,
)
from lkk.api.services import tokens_revoke_all
from lkk.audit.models import AuditEvent
from lkk.audit.services import USER_AGENT_MAX, audit_record, client_ip
from lkk.core.errors import ApplicationError
from lkk.notifications.services import message_queue

EMAIL = "email"
PHONE = "phone"
#: kind → (code purpose, channel, audit kind)
CONTACTS = {
    EMAIL: (Purpose.EMAIL_CHANGE, Channel.EMAIL, AuditEvent.Kind.EMAIL_CHANGED),
    PHONE: (Purpose.PHONE_CHANGE, Channel.SMS, AuditEvent.Kind.PHONE_CHANGED),
}


# --- Masking -------------------------------------------------------------------------------------


def mask_contact(value: str) -> str:
    """«i***@example.ru», «+7 *** ***-**-67»; "" stays ""."""
    if not value:
        return ""
    if "@" in value:
        local, _at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"+7 *** ***-**-{value[-2:]}"


# --- The current password, asked again --------------------------------------------------------


class PasswordCheckLocked(ApplicationError):
    """The current password is not checked: too many wrong ones lately (`password_check`)."""


def password_check(
    *,
    request: HttpRequest | None,
    user: User,
    password: str,
    form: str,
    wrong_message: str,
    field: str = "password",
) -> None:
    """Checks the current password asked again by a profile page, limited and audited like a
    login (SECURITY.md "Accounts").

    Each wrong password is an audit event; at LKK_PASSWORD_CHECK_LIMIT of them within
    LKK_LOCKOUT_MINUTES the check is locked for LKK_LOCKOUT_MINUTES (whatever the session:
    the count is the user's), during which not even the right password passes
    (PasswordCheckLocked). A right one resets the count. `form` names the page in the log.
    """
    locked = throttle.password_check_locked_seconds(user.pk)
    if locked:
        audit_record(
            kind=AuditEvent.Kind.PASSWORD_CHECK_FAILED,
            request=request,
            user=user,
            details={"form": form, "locked": True},
        )
        raise PasswordCheckLocked(password_check_lockout_message(locked), field=field)
    if user.check_password(password):
        throttle.password_check_success(user.pk)
        return
    failures, started = throttle.password_check_failure_record(user.pk)
    audit_record(
        kind=AuditEvent.Kind.PASSWORD_CHECK_FAILED,
        request=request,
        user=user,
        details={"form": form, "locked": False, "failures": failures},
    )
    if started:
        audit_record(
            kind=AuditEvent.Kind.LOCKOUT,
            request=request,
            user=user,
            details={"scope": "password_check", "form": form},
        )
        seconds = throttle.password_check_locked_seconds(user.pk)
        raise PasswordCheckLocked(password_check_lockout_message(seconds), field=field)
    raise ApplicationError(wrong_message, field=field)


# --- Password ------------------------------------------------------------------------------------


@transaction.atomic
def password_change(*, request: HttpRequest, user: User, new_password: str) -> int:
    """Sets the new password (the form has checked the current one and the validators), keeps
    this session and ends every other session of the user. Returns how many were ended."""
    old_key = request.session.session_key
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = sessions_end_others(user=user, keep_session_key=old_key)
    # The app's logins end too (P1).
    ended += tokens_revoke_all(user=user)
    # A new session key with the new password hash: this session stays logged in.
    update_session_auth_hash(request, user)
    new_key = request.session.session_key
    if old_key and new_key and new_key != old_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)
    audit_record(
        kind=AuditEvent.Kind.PASSWORD_CHANGED,
        request=request,
        user=user,
        details={"sessions_ended": ended},
    )
    return ended


# --- Email and phone -----------------------------------------------------------------------------


def _normalize(kind: str, value: str) -> str:
    return normalize_email(value) if kind == EMAIL else normalize_phone(value)


def _subject(user: User, contact: str) -> str:
    return f"user:{user.pk}:{contact}"


def _check_free(*, kind: str, user: User, contact: str) -> None:
    if kind == EMAIL and User.objects.filter(email__iexact=contact).exclude(pk=user.pk).exists():
        raise ApplicationError(_("Этот адрес уже используется"), field="email")


def contact_change_request(
    *, kind: str, user: User, new_contact: str, password: str, request: HttpRequest | None
) -> str:
    """Checks the password, then sends a code to the NEW contact. Returns the normalized contact."""
    purpose, channel, _kind = CONTACTS[kind]
    password_check(
        request=request,
        user=user,
        password=password,
        form=f"{kind}_change",
        wrong_message=_("Неверный пароль."),
    )
    contact = _normalize(kind, new_contact)
    if contact == (getattr(user, kind) or "").strip().lower():
        raise ApplicationError(_("Это ваш текущий адрес."), field=kind)
    _check_free(kind=kind, user=user, contact=contact)
    with transaction.atomic():
        issued = code_issue(
            purpose=purpose,
            subject=_subject(user, contact),
            channel=channel,
            contact=contact,
            ip=client_ip(request) if request is not None else None,
        )
        text = _("Код подтверждения для личного кабинета: %(code)s. Никому не сообщайте его.") % {
            "code": issued.code
        }
        message_queue(
            channel=channel,
            recipient=issued.contact,
            subject=_("Подтверждение нового адреса"),
            body=text,
            kind=purpose,
        )
    return issued.contact


def contact_change_confirm(
    *, kind: str, user: User, new_contact: str, code: str, request: HttpRequest | None
) -> None:
    """Accepts the code sent to `new_contact` and only then changes the contact."""
    purpose, _channel, audit_kind = CONTACTS[kind]
    contact = _normalize(kind, new_contact)
    # Not in a transaction: a wrong try must stay counted.
    code_verify(purpose=purpose, subject=_subject(user, contact), code=code)
    try:
        with transaction.atomic():
            _check_free(kind=kind, user=user, contact=contact)
            old = getattr(user, kind)
            setattr(user, kind, contact)
            user.save(update_fields=[kind])
            audit_record(
                kind=audit_kind,
                request=request,
                user=user,
                details={"old": mask_contact(old), "new": mask_contact(contact)},
            )
    except IntegrityError:
        user.refresh_from_db(fields=[kind])
        raise ApplicationError(_("Этот адрес уже используется"), field=kind) from None


# --- Notification preferences --------------------------------------------------------------------


def preferences_of(user: User) -> NotificationPreferences:
    """The user's preferences (the defaults, unsaved, when they never changed them)."""
    found = NotificationPreferences.objects.filter(user=user).first()
    return found or NotificationPreferences(user=user)


# --- Sessions ------------------------------------------------------------------------------------


def _session_store():
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def sessions_active(user: User):
    """The user's sessions not yet past the session lifetime, newest first."""
    since = timezone.now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(user=user, last_seen__gte=since)


def session_touch(*, request: HttpRequest) -> None:
    """Records this session as seen now (and creates its row if the key changed since login)."""
    key = request.session.session_key
    if not key or not request.user.is_authenticated:
        return
    now = timezone.now()
    if UserSession.objects.filter(session_key=key, user=request.user).update(last_seen=now):
        return
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": request.user,
            "last_seen": now,
            "ip": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        },
    )


def sessions_end_others(*, user: User, keep_session_key: str | None) -> int:
    """Ends every session of the user but `keep_session_key`: in the session store and here."""
    others = UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
    keys = list(others.values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store(session_key=key).delete()
    others.delete()
    return len(keys)


@transaction.atomic
def sessions_end_others_by_user(*, request: HttpRequest) -> int:
    """«Выйти на других устройствах»."""
    ended = sessions_end_others(user=request.user, keep_session_key=request.session.session_key)
    audit_record(
        kind=AuditEvent.Kind.LOGOUT,
        request=request,
        user=request.user,
        details={"other_sessions_ended": ended},
    )
    return ended


_BROWSERS = (
    ("YaBrowser", "Яндекс Браузер"),
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("Firefox", "Firefox"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def device_of(user_agent: str) -> str:
    """«Chrome, Windows» from a user agent; «Неизвестное устройство» when nothing is known."""
    browser = next((name for mark, name in _BROWSERS if re.search(rf"\b{mark}/", user_agent)), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    found = ", ".join(p for p in (browser, system) if p)
    return found or _("Неизвестное устройство")


@receiver(user_logged_in, dispatch_uid="lkk.accounts.services.profile.login")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None or not session.session_key:
        return
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "last_seen": timezone.now(),
            "ip": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        },
    )


@receiver(user_logged_out, dispatch_uid="lkk.accounts.services.profile.logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()
