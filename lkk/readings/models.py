"""Meter readings and the receipts of what customers submitted (M1–M6)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lkk.core.models import ChoiceLabels
from lkk.customers.access import VisibleQuerySet
from lkk.customers.models import Counterparty, Meter, Zone


class Submission(models.Model):
    """One act of submitting readings (a form or an uploaded file): the customer's receipt.

    `token` is the form's one-time token (or the API's Idempotency-Key): a second request with
    the same token finds this receipt instead of creating readings again.
    """

    class Channel(models.TextChoices):
        FORM = "form", _("Форма на сайте")
        UPLOAD = "upload", _("Загрузка файла")
        API = "api", _("Мобильное приложение")

    COUNTERPARTY_PATH = "counterparty"
    OWNER_PATH = "submitted_by"

    token = models.UUIDField(_("одноразовый ключ формы"), unique=True, editable=False)
    counterparty = models.ForeignKey(
        Counterparty, on_delete=models.PROTECT, related_name="+", verbose_name=_("контрагент")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reading_submissions",
        verbose_name=_("передал"),
    )
    channel = models.CharField(_("способ"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("передано"), auto_now_add=True)
    corrected_at = models.DateTimeField(_("исправлено"), null=True, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("квитанция о передаче показаний")
        verbose_name_plural = _("квитанции о передаче показаний")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The receipt number a customer quotes: date and a sequence number."""
        return f"{timezone.localtime(self.created_at):%y%m%d}-{self.pk:07d}"


class Reading(ChoiceLabels):
    """One value of one meter's register (tariff zone) on one date."""

    class Source(models.TextChoices):
        CUSTOMER = "customer", _("Клиент")
        ASKUE = "askue", _("АСКУЭ")
        INSPECTOR = "inspector", _("Контролёр")
        BILLING = "billing", _("Биллинг")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Принято")
        TAKEN = "taken", _("Учтено биллингом")
        REJECTED = "rejected", _("Отклонено")

    CONTRACT_PATH = "meter__metering_point__contract"
    COUNTERPARTY_SCOPE_PATH = "meter__counterparty"

    # Readings entered in the portal get billing's ID only once billing has taken them.
    billing_id = models.CharField(
        _("ID в биллинге"), max_length=64, unique=True, null=True, blank=True
    )
    # No index of its own: the unique (meter, zone, read_on) index leads with it.
    meter = models.ForeignKey(
        Meter,
        on_delete=models.PROTECT,
        related_name="readings",
        verbose_name=_("прибор учёта"),
        db_index=False,
    )
    zone = models.CharField(_("зона суток"), max_length=10, choices=Zone.choices)
    value = models.DecimalField(_("показание"), max_digits=16, decimal_places=4)
    read_on = models.DateField(_("дата показаний"))
    # (value − previous value) × transformation ratio, in kWh; empty when there is nothing to
    # subtract (the first reading of a meter that replaced another).
    consumption = models.DecimalField(
        _("расход, кВт·ч"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    # Defaults in the database too, here and below: bulk loads (COPY) leave them out.
    rolled_over = models.BooleanField(_("переход через ноль"), default=False, db_default=False)
    source = models.CharField(_("источник"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.ACCEPTED
    )
    rejection_reason = models.CharField(
        _("причина отклонения"), max_length=500, blank=True, default="", db_default=""
    )
    submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        related_name="readings",
        null=True,
        blank=True,
        verbose_name=_("квитанция"),
        db_index=False,  # a partial index below: most readings come from billing, without one
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a partial index below, as for the submission
    )
    # The database's default too: bulk loads (COPY) leave the column to it.
    created_at = models.DateTimeField(_("получено"), auto_now_add=True, db_default=Now())
    # For the exchange: a reading entered in the portal waits for export to billing
    # (to_export and no exported_at) and is sent exactly once; a correction sends it again.
    to_export = models.BooleanField(_("передать в биллинг"), default=False, db_default=False)
    exported_at = models.DateTimeField(_("передано в биллинг"), null=True, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("показание")
        verbose_name_plural = _("показания")
        ordering = ["-read_on", "zone"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "zone", "read_on"], name="reading_one_per_meter_zone_date"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="reading_non_negative"),
            models.CheckConstraint(
                condition=models.Q(zone__in=[z.value for z in Zone]), name="reading_zone_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(consumption__isnull=True) | models.Q(consumption__gte=0),
                name="reading_consumption_non_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="reading_rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["submission"],
                name="reading_submission",
                condition=models.Q(submission__isnull=False),
            ),
            models.Index(
                fields=["submitted_by"],
                name="reading_submitted_by",
                condition=models.Q(submitted_by__isnull=False),
            ),
            models.Index(
                fields=["id"],
                name="reading_export_queue",
                condition=models.Q(to_export=True, exported_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.zone} {self.read_on}: {self.value}"

    @property
    def can_be_corrected(self) -> bool:
        return self.source == self.Source.CUSTOMER and self.status == self.Status.ACCEPTED


class Correction(models.Model):
    """A customer's correction of a submitted reading: the old value is kept."""

    CONTRACT_PATH = "reading__meter__metering_point__contract"
    COUNTERPARTY_SCOPE_PATH = "reading__meter__counterparty"

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="corrections")
    old_value = models.DecimalField(_("было"), max_digits=16, decimal_places=4)
    new_value = models.DecimalField(_("стало"), max_digits=16, decimal_places=4)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    corrected_at = models.DateTimeField(_("исправлено"), auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("исправление показания")
        verbose_name_plural = _("исправления показаний")
        ordering = ["-corrected_at"]

    def __str__(self) -> str:
        return f"{self.reading_id}: {self.old_value} → {self.new_value}"


class BulkUpload(models.Model):
    """One uploaded XLSX of readings (M5): how many rows were accepted, and why the others were not.

    `token` is the upload form's one-time token: the same form posted twice finds this record
    instead of writing the readings again. The accepted rows are one receipt (`submission`,
    which carries the same token); the rejected ones are kept here as
    `[{"row": 5, "serial": "…", "point": "…", "reason": "…"}, …]`.
    """

    COUNTERPARTY_PATH = "counterparty"
    OWNER_PATH = "uploaded_by"

    token = models.UUIDField(_("одноразовый ключ формы"), unique=True, editable=False)
    counterparty = models.ForeignKey(
        Counterparty, on_delete=models.PROTECT, related_name="+", verbose_name=_("контрагент")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reading_uploads",
        verbose_name=_("загрузил"),
    )
    file_name = models.CharField(_("имя файла"), max_length=255)
    created_at = models.DateTimeField(_("загружено"), auto_now_add=True)
    rows_total = models.PositiveIntegerField(_("строк с показаниями"), default=0)
    rows_accepted = models.PositiveIntegerField(_("принято строк"), default=0)
    rows_rejected = models.PositiveIntegerField(_("отклонено строк"), default=0)
    submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("квитанция"),
    )
    rejected_rows = models.JSONField(_("отклонённые строки"), default=list, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("загрузка показаний из файла")
        verbose_name_plural = _("загрузки показаний из файлов")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    rows_total=models.F("rows_accepted") + models.F("rows_rejected")
                ),
                name="bulk_upload_rows_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d.%m.%Y %H:%M})"
