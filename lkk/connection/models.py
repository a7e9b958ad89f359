"""The operator's rates of technological connection (T3) and the documents of T2.

A rate is stated without VAT, per kW of maximum power, for a voltage level, a reliability
category and new connection or an increase of power, from a date (the regional tariff body's
decision). Up to 15 kW at 0.4 kV, category III, the fee is the fixed one the operator keeps.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Voltage(models.TextChoices):
    LV = "0.4", _("0,4 кВ")
    MV = "6-10", _("6–10 кВ")
    HV35 = "35", _("35 кВ")
    HV110 = "110", _("110 кВ")


class Category(models.TextChoices):
    I = "1", _("I категория")  # noqa: E741
    II = "2", _("II категория")
    III = "3", _("III категория")


class Purpose(models.TextChoices):
    NEW = "new", _("Новое присоединение")
    INCREASE = "increase", _("Увеличение мощности")


VAT_DEFAULT = Decimal("22.00")


class Rate(models.Model):
    voltage = models.CharField(_("уровень напряжения"), max_length=5, choices=Voltage.choices)
    category = models.CharField(_("категория надёжности"), max_length=1, choices=Category.choices)
    purpose = models.CharField(_("вид присоединения"), max_length=10, choices=Purpose.choices)
    per_kw = models.DecimalField(
        _("ставка за 1 кВт без НДС, ₽"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    vat_percent = models.DecimalField(
        _("НДС, %"),
        max_digits=5,
        decimal_places=2,
        default=VAT_DEFAULT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
    )
    valid_from = models.DateField(_("действует с"), default=timezone.localdate)
    basis = models.CharField(_("основание"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ставка платы за присоединение")
        verbose_name_plural = _("ставки платы за присоединение")
        ordering = ["voltage", "category", "purpose", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["voltage", "category", "purpose", "valid_from"], name="connection_rate_once"
            ),
            models.CheckConstraint(condition=Q(per_kw__gte=0), name="connection_rate_nonneg"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_voltage_display()}, {self.get_category_display()}, "
            f"{self.get_purpose_display()}: {self.per_kw} ₽/кВт с {self.valid_from:%d.%m.%Y}"
        )


class FixedFee(models.Model):
    """The fee for up to 15 kW (0.4 kV, category III), e.g. 550 ₽ before 2023; set by the
    regional tariff body since."""

    amount = models.DecimalField(
        _("плата без НДС, ₽"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    vat_percent = models.DecimalField(
        _("НДС, %"),
        max_digits=5,
        decimal_places=2,
        default=VAT_DEFAULT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
    )
    max_kw = models.DecimalField(
        _("до мощности, кВт"), max_digits=6, decimal_places=2, default=Decimal("15")
    )
    valid_from = models.DateField(_("действует с"), default=timezone.localdate, unique=True)
    basis = models.CharField(_("основание"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("льготная плата (до 15 кВт)")
        verbose_name_plural = _("льготная плата (до 15 кВт)")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="connection_fixed_nonneg")
        ]

    def __str__(self) -> str:
        return f"{self.amount} ₽ с {self.valid_from:%d.%m.%Y}"


def _document_path(instance: ConnectionDocument, filename: str) -> str:
    return f"connection/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class ConnectionDocument(models.Model):
    """The standard contract terms and the instruction, as PDFs to download (T2)."""

    class Kind(models.TextChoices):
        TERMS = "terms", _("Типовые условия договора")
        INSTRUCTION = "instruction", _("Инструкция по подаче заявки")

    kind = models.CharField(_("документ"), max_length=20, choices=Kind.choices, unique=True)
    file = models.FileField(upload_to=_document_path, max_length=200)
    file_name = models.CharField(_("имя файла"), max_length=200)
    size = models.PositiveIntegerField(_("размер"), default=0)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("документ о присоединении")
        verbose_name_plural = _("документы о присоединении")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()
