"""Side records of the login flow: Django's and django-axes' signals write the audit log."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Q
from django.dispatch import receiver
from django.http import HttpRequest

from lkk.audit.models import AuditEvent
from lkk.audit.services import audit_record


def typed_login(value: object) -> str:
    """What was typed into «Логин», the way lockouts key on it: trimmed and lowercased."""
    return str(value or "").strip().lower()[:254]


def _account_for(login: str):
    """The account a typed login or email names, if any (only for the log, never shown)."""
    if not login:
        return None
    return (
        get_user_model()
        ._default_manager.filter(Q(username__iexact=login) | Q(email__iexact=login))
        .first()
    )


@receiver(user_logged_in, dispatch_uid="lkk.audit.login")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    details = {"second_factor": "required"} if user.is_staff or user.is_superuser else {}
    audit_record(kind=AuditEvent.Kind.LOGIN, request=request, user=user, details=details)


@receiver(user_login_failed, dispatch_uid="lkk.audit.login_failed")
def _login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the login is taken from the credentials: never the password.
    login = typed_login(credentials.get("username"))
    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        request=request,
        user=_account_for(login),
        details={"login": login, "locked": bool(getattr(request, "axes_locked_out", False))},
    )


@receiver(user_logged_out, dispatch_uid="lkk.audit.logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(kind=AuditEvent.Kind.LOGOUT, request=request, user=user)


@receiver(user_locked_out, dispatch_uid="lkk.audit.lockout")
def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    # Axes repeats the signal for every attempt refused while the lockout lasts; the lockout
    # itself is recorded once, the refused attempts are `login_failed` with `locked`.
    if getattr(request, "lkk_refused_while_locked", False):
        return
    # `username` is axes' key (the account's login for an email typed); the log keeps what was
    # typed, as the failures do.
    typed = (getattr(request, "axes_credentials", None) or {}).get("username")
    login = typed_login(typed if typed is not None else username)
    audit_record(
        kind=AuditEvent.Kind.LOCKOUT,
        request=request,
        user=_account_for(login),
        details={"login": login},
    )
