from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lkk.customers.access import VisibleQuerySet
from lkk.customers.models import Meter, Zone


class Reading(models.Model):
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
    meter = models.ForeignKey(
        Meter, on_delete=models.PROTECT, related_name="readings", verbose_name=_("прибор учёта")
    )
    zone = models.CharField(_("зона суток"), max_length=10, choices=Zone.choices)
    value = models.DecimalField(_("показание"), max_digits=16, decimal_places=4)
    read_on = models.DateField(_("дата показаний"))
    source = models.CharField(_("источник"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.ACCEPTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("получено"), auto_now_add=True)

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
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.zone} {self.read_on}: {self.value}"
