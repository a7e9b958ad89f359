"""The transactional outbox: every code, link and notice the portal sends (N2/N3).

A service writes an `OutboxMessage` in the same transaction as the change it announces, so a
rolled-back change sends nothing and a committed one cannot lose its message; a Celery task
(`tasks.outbox_drain`) delivers the rows afterwards and retries them with backoff. The body
carries one-time codes: it is shown only on the development outbox page and never logged.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One message to one recipient, waiting for delivery or delivered."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Электронная почта")
        SMS = "sms", _("SMS")
        # Web Push to the installed app (P2): the recipient is a PushSubscription's id.
        PUSH = "push", _("Push-уведомление")

    class Status(models.TextChoices):
        PENDING = "pending", _("Ожидает отправки")
        # Claimed by a worker until `next_attempt_at` (the lease); see lkk/notifications/outbox.py.
        SENDING = "sending", _("Отправляется")
        SENT = "sent", _("Отправлено")
        FAILED = "failed", _("Не отправлено")

    #: Statuses the drain looks at; the partial index below covers exactly these rows.
    DUE_STATUSES = (Status.PENDING, Status.SENDING)

    # Given to the mail server (Message-ID) and the SMS gateway (Idempotency-Key), so that a
    # resend after a crash can be recognised as the same message on their side.
    uid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("канал"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("получатель"), max_length=254)
    subject = models.CharField(_("тема"), max_length=255, blank=True)
    body = models.TextField(_("текст"))
    html = models.TextField(_("текст в HTML"), blank=True)
    kind = models.CharField(
        _("назначение"), max_length=64, help_text=_("Например, «login_code» или «email_change».")
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    next_attempt_at = models.DateTimeField(_("следующая попытка"), default=timezone.now)
    # The error's type and a short text with digits masked: never a code, a token or a body.
    last_error = models.CharField(_("последняя ошибка"), max_length=500, blank=True)
    dedup_key = models.CharField(
        _("ключ идемпотентности"), max_length=200, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(_("создано"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("исходящее сообщение")
        verbose_name_plural = _("исходящие сообщения")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The drain's query: due rows in the order they became due. Sent and failed rows
            # (nearly all of the table) stay out of the index.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="notif_outbox_due",
            ),
            models.Index(fields=["-created_at"], name="notif_outbox_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["email", "sms", "push"]),
                name="notif_outbox_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed"]),
                name="notif_outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notif_outbox_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} ({self.kind})"


class Notification(models.Model):
    """A notice in the portal's «Уведомления» (N1): what changed, for one user, read or not.

    Written only by `services.notify`, which also queues the email/SMS the user's preferences
    ask for and keeps `User.unread_notifications` (the menu's count, read with the user at no
    extra query) equal to the number of unread rows.
    """

    class Topic(models.TextChoices):
        APPLICATIONS = "applications", _("Заявки и обращения")
        READINGS = "readings", _("Показания")
        OUTAGES = "outages", _("Отключения")
        NEWS = "news", _("Новости")
        APPOINTMENTS = "appointments", _("Запись на приём")
        REPORTS = "reports", _("Отчёты")
        SURVEYS = "surveys", _("Опросы")
        ACCOUNT = "account", _("Учётная запись")

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("пользователь"),
    )
    topic = models.CharField(_("тема"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("заголовок"), max_length=255)
    body = models.TextField(_("текст"), blank=True)
    # A path inside the portal that the notice opens («/applications/12/»); never another site.
    url = models.CharField(_("ссылка"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("создано"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)
    # The same event notifies once: a retried task or a double submit finds the row it made.
    dedup_key = models.CharField(
        _("ключ идемпотентности"), max_length=200, unique=True, null=True, blank=True
    )

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notif_user_created"),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notif_user_unread"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    topic__in=[
                        "applications",
                        "readings",
                        "outages",
                        "news",
                        "appointments",
                        "reports",
                        "surveys",
                        "account",
                    ]
                ),
                name="notif_topic_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class PushSubscription(models.Model):
    """A browser or installed app of the user that agreed to Web Push (P2, the profile's opt-in).

    `notify()` queues a push copy of every notice for each of the user's subscriptions; the push
    service forgets a subscription (404/410) and then the row is deleted by the delivery.
    """

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        verbose_name=_("пользователь"),
    )
    endpoint = models.URLField(_("адрес push-сервиса"), max_length=1000, unique=True)
    p256dh = models.CharField(_("открытый ключ"), max_length=200)
    auth = models.CharField(_("секрет"), max_length=100)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("создано"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("подписка на push-уведомления")
        verbose_name_plural = _("подписки на push-уведомления")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.endpoint[:60]}"
