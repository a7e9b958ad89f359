"""Planned outages (S3, seed 004 «график плановых отключений электроэнергии») and the
customers' subscriptions to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lkk.outages import addresses


class Outage(models.Model):
    """A planned outage of one street (all of it, or the houses listed).

    `settlement_key`, `street_key` and `house_keys` hold the address in its comparable form
    (lkk/outages/addresses.py), written by `save()` from what the operator typed."""

    district = models.CharField(_("район"), max_length=200, blank=True)
    settlement = models.CharField(_("населённый пункт"), max_length=200)
    street = models.CharField(_("улица"), max_length=200)
    houses = models.CharField(
        _("дома"),
        max_length=1000,
        blank=True,
        help_text=_("Например: 1-15, 17, 19а. Пусто — вся улица."),
    )
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))
    reason = models.CharField(_("причина"), max_length=500, blank=True)
    published = models.BooleanField(_("опубликовано"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто внёс"),
    )
    created_at = models.DateTimeField(_("внесено"), default=timezone.now, editable=False)
    settlement_key = models.CharField(max_length=200, editable=False, default="")
    street_key = models.CharField(max_length=200, editable=False, default="")
    house_keys = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("плановое отключение")
        verbose_name_plural = _("плановые отключения")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(
                fields=["settlement_key", "street_key", "starts_at"], name="outage_address"
            ),
            models.Index(fields=["published", "starts_at", "id"], name="outage_published_start"),
            models.Index(fields=["ends_at"], name="outage_ends"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="outage_order"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement}, {self.street} {self.houses}".strip()

    def save(self, *args, **kwargs) -> None:
        self.settlement_key = addresses.name_key(self.settlement)
        self.street_key = addresses.name_key(self.street)
        self.house_keys = addresses.house_tokens(addresses.parse_houses(self.houses))
        super().save(*args, **kwargs)

    def covers(self, house: str) -> bool:
        return not self.house_keys or not house or f"|{house}|" in self.house_keys


class SubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user) -> SubscriptionQuerySet:
        """A subscription is its user's alone (`get_object_for_user` answers 404 to others)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user_id=user.pk)


class Subscription(models.Model):
    """A user's wish to be told of outages at an address (a whole street when no house)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="outage_subscriptions",
        verbose_name=_("пользователь"),
    )
    settlement = models.CharField(_("населённый пункт"), max_length=200)
    street = models.CharField(_("улица"), max_length=200)
    house = models.CharField(_("дом"), max_length=20, blank=True)
    settlement_key = models.CharField(max_length=200, editable=False, default="")
    street_key = models.CharField(max_length=200, editable=False, default="")
    house_key = models.CharField(max_length=20, editable=False, default="")
    created_at = models.DateTimeField(_("создана"), default=timezone.now, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("подписка на отключения")
        verbose_name_plural = _("подписки на отключения")
        ordering = ["settlement", "street", "house", "pk"]
        indexes = [
            models.Index(fields=["settlement_key", "street_key"], name="outage_sub_address"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "settlement_key", "street_key", "house_key"],
                name="outage_sub_unique",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.settlement, self.street, self.house) if p)

    def save(self, *args, **kwargs) -> None:
        self.settlement_key = addresses.name_key(self.settlement)
        self.street_key = addresses.name_key(self.street)
        self.house_key = addresses.house_key(self.house)
        super().save(*args, **kwargs)
