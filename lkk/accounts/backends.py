from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest


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
