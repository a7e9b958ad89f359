"""R4: a report a user ordered, built in the background and kept REPORTS_KEEP_DAYS."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lkk.customers.access import VisibleQuerySet
from lkk.customers.models import Counterparty


class Report(models.Model):
    class Kind(models.TextChoices):
        CONSUMPTION = "consumption", _("Отчёт о потреблении")
        SETTLEMENT = "settlement", _("Расчётная ведомость")
        TARIFF = "tariff", _("Справка о составляющих тарифа")

    class Status(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        RUNNING = "running", _("Формируется")
        DONE = "done", _("Готов")
        FAILED = "failed", _("Ошибка")

    # The user's own, and only while he still acts for its counterparty (access.py).
    OWNER_PATH = "owner"
    COUNTERPARTY_PATH = "counterparty"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("владелец"),
    )
    counterparty = models.ForeignKey(
        Counterparty, on_delete=models.CASCADE, related_name="+", verbose_name=_("контрагент")
    )
    kind = models.CharField(_("вид отчёта"), max_length=12, choices=Kind.choices)
    params = models.JSONField(_("параметры"), default=dict)
    status = models.CharField(
        _("состояние"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("готовность, %"), default=0)
    xlsx = models.FileField(_("XLSX"), upload_to="reports/%Y/%m/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/%m/", blank=True)
    # What the report shows (sections of rows, amounts as strings) and the contracts it
    # covers: a download is refused once the owner no longer sees one of them.
    result = models.JSONField(_("результат"), default=dict, blank=True)
    contract_ids = models.JSONField(_("договоры"), default=list, blank=True)
    error = models.CharField(_("ошибка"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("заказан"), auto_now_add=True)
    finished_at = models.DateTimeField(_("сформирован"), null=True, blank=True)
    expires_at = models.DateTimeField(_("хранится до"), db_index=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("отчёт")
        verbose_name_plural = _("отчёты")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at", "-id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.pk}"
