from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what, when and from where (SECURITY.md, «Audit»).

    Written only through `lkk.audit.services.audit_record`, which drops secrets from `details`.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Вход")
        LOGIN_FAILED = "login_failed", _("Неудачный вход")
        LOCKOUT = "lockout", _("Блокировка входа")
        LOGOUT = "logout", _("Выход")
        PASSWORD_CHECK_FAILED = "password_check_failed", _("Неверный текущий пароль")
        PASSWORD_CHANGED = "password_changed", _("Смена пароля")
        PASSWORD_RESET = "password_reset", _("Восстановление пароля")
        EMAIL_CHANGED = "email_changed", _("Смена email")
        PHONE_CHANGED = "phone_changed", _("Смена телефона")
        GRANT_ADDED = "grant_added", _("Доступ предоставлен")
        GRANT_REMOVED = "grant_removed", _("Доступ отозван")
        REGISTRATION_SUBMITTED = "registration_submitted", _("Заявка на регистрацию")
        REGISTRATION_APPROVED = "registration_approved", _("Регистрация одобрена")
        REGISTRATION_REJECTED = "registration_rejected", _("Регистрация отклонена")
        CONSENT_GIVEN = "consent_given", _("Согласие дано")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Согласие отозвано")
        OTP_ENROLLED = "otp_enrolled", _("Подключён второй фактор")
        OTP_FAILED = "otp_failed", _("Неверный одноразовый код")
        OPERATOR_ACTION = "operator_action", _("Действие оператора")

    kind = models.CharField(_("событие"), max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто выполнил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_actions",
    )
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)
    details = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        verbose_name = _("событие аудита")
        verbose_name_plural = _("журнал аудита")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="audit_user_created_idx"),
            models.Index(fields=["kind", "created_at"], name="audit_kind_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M:%S}"
