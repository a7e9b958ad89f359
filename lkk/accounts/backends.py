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


def typed_identifier(value: object) -> str:
    """A login or email as typed into «Логин или email»: trimmed and lowercased."""
    return str(value or "").strip().lower()[:254]


def account_for(identifier: str):
    """The account a login or an email names, both case-insensitive; None when none does.

    The one lookup for the login backend, the lockout key and the audit log, so that they
    agree on whose account a typed identifier is.
    """
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return (
        get_user_model()
        ._default_manager.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))
        .order_by("pk")
        .first()
    )


def axes_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """What axes keys lockouts on (AXES_USERNAME_CALLABLE): one key per account, whatever
    identifier of it was typed.

    A login or an email of an account gives the account's login (lowercased), so failures by
    email and by login count together and a lockout holds for both. Anything else gives itself,
    trimmed and lowercased, so that an unknown identifier is counted and locked like a known one
    (no enumeration); it cannot collide with an account's key, which it would then have named.
    Resolved once per request and identifier (axes asks several times).
    """
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    typed = typed_identifier(value)
    if not typed:
        return None
    resolved = getattr(request, "_lkk_axes_keys", None) if request is not None else None
    if resolved is None:
        resolved = {}
        if request is not None:
            request._lkk_axes_keys = resolved
    if typed not in resolved:
        account = account_for(typed)
        resolved[typed] = account.get_username().lower() if account is not None else typed
    return resolved[typed]


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
        user = account_for(username)
        if user is None:
            # Hash anyway so that a missing account takes as long as a wrong password.
            model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
