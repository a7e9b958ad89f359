"""Office appointments (S1, seed 001 «Запись потребителей на приём в офис обслуживания»)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Service(models.Model):
    """A question an office receives customers with (a consultation, a contract, a meter)."""

    name = models.CharField(_("услуга"), max_length=200, unique=True)
    duration_minutes = models.PositiveSmallIntegerField(_("длительность, мин"), default=30)
    active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("услуга офиса")
        verbose_name_plural = _("услуги офисов")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """An office of the company where customers come by appointment."""

    name = models.CharField(_("офис"), max_length=200)
    address = models.CharField(_("адрес"), max_length=500)
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    services = models.ManyToManyField(Service, related_name="offices", verbose_name=_("услуги"))
    # Length of one slot; every service of the office fits into one.
    slot_minutes = models.PositiveSmallIntegerField(_("длина интервала, мин"), default=30)
    # Customers received at once in one slot (windows of the office).
    capacity = models.PositiveSmallIntegerField(_("мест в интервале"), default=1)
    active = models.BooleanField(_("работает"), default=True)

    class Meta:
        verbose_name = _("офис обслуживания")
        verbose_name_plural = _("офисы обслуживания")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="office_slot_min"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="office_capacity_min"),
        ]

    def __str__(self) -> str:
        return self.name


class OfficeHours(models.Model):
    """The weekly schedule: the hours of one weekday (several rows make a lunch break)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("понедельник")
        TUESDAY = 1, _("вторник")
        WEDNESDAY = 2, _("среда")
        THURSDAY = 3, _("четверг")
        FRIDAY = 4, _("пятница")
        SATURDAY = 5, _("суббота")
        SUNDAY = 6, _("воскресенье")

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="hours", verbose_name=_("офис")
    )
    weekday = models.PositiveSmallIntegerField(_("день недели"), choices=Weekday.choices)
    opens = models.TimeField(_("с"))
    closes = models.TimeField(_("до"))

    class Meta:
        verbose_name = _("часы работы")
        verbose_name_plural = _("часы работы")
        ordering = ["office", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="hours_order"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OfficeHoliday(models.Model):
    """A day an office (or, without an office, every office) does not receive customers."""

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        verbose_name=_("офис"),
        help_text=_("Пусто — все офисы."),
    )
    day = models.DateField(_("дата"))
    reason = models.CharField(_("причина"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("нерабочий день")
        verbose_name_plural = _("нерабочие дни")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.reason}"


class Slot(models.Model):
    """A time of an office with places for `capacity` visitors; `taken` is kept by the
    booking services with conditional updates, so it can never pass `capacity`."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="slots", verbose_name=_("офис")
    )
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))
    capacity = models.PositiveSmallIntegerField(_("мест"), default=1)
    taken = models.PositiveSmallIntegerField(_("занято"), default=0)
    blocked = models.BooleanField(_("закрыт для записи"), default=False)

    class Meta:
        verbose_name = _("интервал приёма")
        verbose_name_plural = _("интервалы приёма")
        ordering = ["office", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["office", "starts_at"], name="slot_office_start"),
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="slot_not_over"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_order"),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.office} {local:%d.%m.%Y %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


class AppointmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AppointmentQuerySet:
        """A visit is its maker's alone (`get_object_for_user` answers 404 to anyone else)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user_id=user.pk)


class Appointment(models.Model):
    """A customer's visit to an office; one row per booking (a move books a new row and marks
    the old one «перенесена»)."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Записан")
        CANCELLED = "cancelled", _("Отменена")
        MOVED = "moved", _("Перенесена")
        DONE = "done", _("Состоялась")
        NO_SHOW = "no_show", _("Неявка")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="appointments",
        verbose_name=_("посетитель"),
    )
    counterparty = models.ForeignKey(
        "customers.Counterparty",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("контрагент"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("офис")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("услуга")
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("время")
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    comment = models.CharField(_("комментарий"), max_length=500, blank=True)
    moved_to = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moved_from",
        verbose_name=_("перенесена на"),
    )
    created_at = models.DateTimeField(_("создана"), default=timezone.now, editable=False)
    changed_at = models.DateTimeField(_("изменена"), default=timezone.now)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("запись на приём")
        verbose_name_plural = _("записи на приём")
        ordering = ["-slot__starts_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "status"], name="appt_user_status"),
            models.Index(fields=["office", "status"], name="appt_office_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["booked", "cancelled", "moved", "done", "no_show"]),
                name="appt_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slot} — {self.service}"
