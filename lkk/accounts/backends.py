from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    A locked-out login is refused before any password is checked, so the right password is
    refused too. It marks the request so that the login page and the audit log can tell an
    attempt refused during a lockout from the failure that started it.
    """

    def authenticate(
        self,
        request: HttpRequest,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ):
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            request.lkk_refused_while_locked = True
            raise


def axes_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """What axes keys lockouts on (AXES_USERNAME_CALLABLE): the login or email as typed,
    trimmed and lowercased, whether or not an account has it (no enumeration)."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    value = str(value or "").strip().lower()[:254]
    return value or None


class LoginOrEmailBackend(ModelBackend):
    """Logs in by login or by email, both case-insensitive."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ):
        if not username or password is None:
            return None
        model = get_user_model()
        identifier = username.strip()
        user = model._default_manager.filter(
            Q(username__iexact=identifier) | Q(email__iexact=identifier)
        ).first()
        if user is None:
            # Hash anyway so that a missing account takes as long as a wrong password.
            model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
