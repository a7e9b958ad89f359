"""Applications and appeals (Q1–Q4, T1, T2, T4): one model whatever the kind.

The kind's own fields are kept in `data` (JSON), validated by the form derived from the kind
(lkk/applications/kinds.py). An application belongs to a counterparty and, usually, one of its
contracts: whoever may see that contract (or, without a contract, the whole counterparty) sees
the application (lkk/customers/access.py). Its history, messages, attachments and stages are
reached only through a visible application.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lkk.applications.kinds import KINDS, Kind
from lkk.core.uploads import EXTENSIONS
from lkk.customers.access import VisibleQuerySet
from lkk.customers.models import Contract, Counterparty

#: Minenergo order 186: a written answer within 30 days of registration.
ANSWER_DAYS = 30


class Status(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    SUBMITTED = "submitted", _("Подана")
    IN_WORK = "in_work", _("В работе")
    NEEDS_INFO = "needs_info", _("Нужна информация")
    DONE = "done", _("Выполнена")
    REJECTED = "rejected", _("Отклонена")


OPEN_STATUSES = (Status.SUBMITTED, Status.IN_WORK, Status.NEEDS_INFO)
CLOSED_STATUSES = (Status.DONE, Status.REJECTED)


class RegistrationCounter(models.Model):
    """The last registration number given in a year: one row per year, locked while a number is
    taken, so that numbers are unique and gap-free (a rolled-back submit gives its number back)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("счётчик регистрационных номеров")
        verbose_name_plural = _("счётчики регистрационных номеров")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Application(models.Model):
    """An application or appeal of a customer."""

    CONTRACT_PATH = "contract"
    COUNTERPARTY_SCOPE_PATH = "counterparty"

    # A slug of lkk/applications/kinds.py; no `choices` here, so that a new kind needs no migration.
    kind = models.CharField(_("вид"), max_length=40, db_index=True)
    counterparty = models.ForeignKey(
        Counterparty, on_delete=models.PROTECT, related_name="+", verbose_name=_("контрагент")
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("договор"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("автор"),
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    data = models.JSONField(_("поля заявки"), default=dict, blank=True)
    # The first text of the form, for the lists and their search.
    summary = models.CharField(_("кратко"), max_length=300, blank=True)
    number = models.CharField(_("регистрационный номер"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)
    registered_at = models.DateTimeField(_("дата регистрации"), null=True, blank=True)
    due_on = models.DateField(_("срок ответа"), null=True, blank=True)
    closed_at = models.DateTimeField(_("закрыта"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("исполнитель"),
    )
    # T2: the stage reached (a code of the kind's stages), for kinds with stages.
    stage = models.CharField(_("этап"), max_length=40, blank=True)
    # T4: the customer's marks after completion, 1–5, given once.
    rating_quality = models.PositiveSmallIntegerField(
        _("оценка качества"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_availability = models.PositiveSmallIntegerField(
        _("оценка доступности"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rated_at = models.DateTimeField(_("оценено"), null=True, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("заявка")
        verbose_name_plural = _("заявки")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="application_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(number=""), name="application_registered"
            ),
            models.CheckConstraint(
                condition=Q(rating_quality__isnull=True)
                | Q(rating_quality__gte=1, rating_quality__lte=5),
                name="application_rating_quality_range",
            ),
            models.CheckConstraint(
                condition=Q(rating_availability__isnull=True)
                | Q(rating_availability__gte=1, rating_availability__lte=5),
                name="application_rating_availability_range",
            ),
        ]
        indexes = [
            models.Index(fields=["counterparty", "created_at", "id"], name="app_cp_created_idx"),
            models.Index(fields=["contract", "created_at", "id"], name="app_contract_created_idx"),
            models.Index(fields=["status", "due_on"], name="app_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.number or _("Черновик №%(pk)s") % {"pk": self.pk}

    @property
    def kind_spec(self) -> Kind:
        return KINDS[self.kind]

    def get_kind_display(self) -> str:
        kind = KINDS.get(self.kind)
        return str(kind.title) if kind else self.kind

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_on is not None and self.due_on < today

    @property
    def can_rate(self) -> bool:
        return self.kind_spec.rateable and self.status == Status.DONE and self.rated_at is None


class StatusChange(models.Model):
    """One move of an application's status: who, when, from, to and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_operator = models.BooleanField(default=False)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Message(models.Model):
    """A message of the thread between the customer and the operator."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_operator = models.BooleanField(default=False)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class StageRecord(models.Model):
    """T2: a stage of technological connection reached, on its date."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=40)
    reached_on = models.DateField()
    comment = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reached_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "stage"], name="stage_once"),
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.reached_on}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    """A generated name: nothing of the customer's file name reaches the disk."""
    ext = EXTENSIONS.get(instance.content_type, "bin")
    return str(PurePosixPath("applications") / f"{uuid.uuid4().hex}.{ext}")


class Attachment(models.Model):
    """A file of an application: from its form (`slot`), a message, or a stage (T2).

    Stored under MEDIA_ROOT, which nothing serves: the views hand it out as an attachment to
    whoever may see the application.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    slot = models.CharField(max_length=40, blank=True)  # a kind's AttachmentSpec.name
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    stage = models.ForeignKey(
        StageRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("имя файла"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["uploaded_by", "size"], name="attachment_quota_idx")]

    def __str__(self) -> str:
        return self.name
