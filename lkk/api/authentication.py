"""`Authorization: Bearer <key>`: the app's token (lkk.api.services), never the session cookie."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from lkk.api.services import token_for_key

KEYWORD = "Bearer"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() != KEYWORD.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Неверный заголовок Authorization."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Неверный ключ доступа.")) from None
        token = token_for_key(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("Ключ доступа недействителен или истёк. Войдите снова.")
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return KEYWORD
