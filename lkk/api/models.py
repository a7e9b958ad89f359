"""The API's own rows: the app's tokens and the answers kept for `Idempotency-Key` (P1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A login of the mobile app: the key is shown once, only its SHA-256 is stored.

    Listed in the profile's «Активные сеансы» beside the browser sessions; logout, the profile's
    «Завершить», a password change and the expiry (API_TOKEN_TTL) end it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("хеш ключа"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("выдан"), auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"))
    last_used_at = models.DateTimeField(_("последняя активность"))
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("приложение"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ключ API")
        verbose_name_plural = _("ключи API")
        ordering = ["-last_used_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_live")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.created_at:%Y-%m-%d %H:%M}"


class IdempotentAnswer(models.Model):
    """The first answer to a POST with an `Idempotency-Key`, replayed for the same key and body.

    Keys are the user's own: another user's key is another row. `request_hash` is the SHA-256 of
    the canonical JSON body; a retry with another body is refused (422).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("ключ"), max_length=255)
    request_hash = models.CharField(_("хеш запроса"), max_length=64)
    status = models.PositiveSmallIntegerField(_("код ответа"))
    body = models.JSONField(_("ответ"))
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("ответ по ключу идемпотентности")
        verbose_name_plural = _("ответы по ключам идемпотентности")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"
