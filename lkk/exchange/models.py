"""What the exchange with billing did: every import run (I1) and every export batch (I2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    COMMAND = "command", _("Команда на сервере")
    API = "api", _("API обмена")


class ImportBatch(models.Model):
    """One file of one entity imported in one transaction, with what became of its rows.

    `rejected_rows` keeps `[{"line": 5, "billing_id": "…", "reason": "…"}, …]` (the first
    `REJECTED_KEPT`; `rejected` counts them all).
    """

    REJECTED_KEPT = 1000

    class Status(models.TextChoices):
        RUNNING = "running", _("Выполняется")
        DONE = "done", _("Загружен")
        FAILED = "failed", _("Ошибка")

    entity = models.CharField(_("данные"), max_length=40)
    channel = models.CharField(_("способ"), max_length=10, choices=Channel.choices)
    source = models.CharField(_("источник"), max_length=500)
    system = models.CharField(_("система"), max_length=100, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("запустил"),
    )
    status = models.CharField(
        _("состояние"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    rows_total = models.PositiveIntegerField(_("строк"), default=0)
    created = models.PositiveIntegerField(_("добавлено"), default=0)
    updated = models.PositiveIntegerField(_("изменено"), default=0)
    unchanged = models.PositiveIntegerField(_("без изменений"), default=0)
    rejected = models.PositiveIntegerField(_("отклонено"), default=0)
    rejected_rows = models.JSONField(_("отклонённые строки"), default=list, blank=True)
    error = models.TextField(_("ошибка"), blank=True)
    started_at = models.DateTimeField(_("начат"), auto_now_add=True)
    finished_at = models.DateTimeField(_("завершён"), null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка из биллинга")
        verbose_name_plural = _("загрузки из биллинга")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.entity} {self.started_at:%d.%m.%Y %H:%M}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def report(self) -> dict[str, object]:
        """The JSON answer of the import API and the command's summary."""
        return {
            "batch": self.pk,
            "entity": self.entity,
            "status": self.status,
            "rows": self.rows_total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejected_rows": self.rejected_rows,
            "error": self.error,
        }


class ExportBatch(models.Model):
    """Rows handed to billing in one export; billing acknowledges the ones it took."""

    source = models.CharField(_("данные"), max_length=40)
    channel = models.CharField(_("способ"), max_length=10, choices=Channel.choices)
    system = models.CharField(_("система"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("выгружен"), auto_now_add=True)
    acked_at = models.DateTimeField(_("подтверждён полностью"), null=True, blank=True)
    rows_count = models.PositiveIntegerField(_("строк"), default=0)

    class Meta:
        verbose_name = _("выгрузка в биллинг")
        verbose_name_plural = _("выгрузки в биллинг")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} #{self.pk}"


class ExportItem(models.Model):
    """One row in an export batch, as it was sent (`payload`): an acknowledgement marks the row
    exported only if it has not changed since."""

    batch = models.ForeignKey(ExportBatch, on_delete=models.CASCADE, related_name="items")
    object_id = models.BigIntegerField(_("ID строки"))
    payload = models.JSONField(_("переданные данные"))
    acked_at = models.DateTimeField(_("подтверждено"), null=True, blank=True)

    class Meta:
        verbose_name = _("строка выгрузки")
        verbose_name_plural = _("строки выгрузки")
        constraints = [
            models.UniqueConstraint(fields=["batch", "object_id"], name="export_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.object_id}"


class ApplicationExported(models.Model):
    """The status of an application billing has acknowledged: the application waits for billing
    again when its status is not this one any more (and until the first acknowledgement)."""

    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.CASCADE,
        related_name="billing_export",
        verbose_name=_("заявка"),
    )
    status = models.CharField(_("статус, принятый биллингом"), max_length=20)
    exported_at = models.DateTimeField(_("подтверждено биллингом"))

    class Meta:
        verbose_name = _("заявка, выгруженная в биллинг")
        verbose_name_plural = _("заявки, выгруженные в биллинг")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.status}"
