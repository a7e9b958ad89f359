"""The billing mirror of customers: who they are and what they have under contract.

Billing owns these rows; the portal only reads them (imports come through the exchange).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext_lazy as _

from lkk.core import validators
from lkk.core.models import BillingMirror
from lkk.customers.access import VisibleQuerySet

ZERO = Decimal("0")


class VoltageLevel(models.TextChoices):
    HIGH = "VN", _("ВН (110 кВ и выше)")
    MEDIUM_1 = "SN1", _("СН-1 (35 кВ)")
    MEDIUM_2 = "SN2", _("СН-2 (1–20 кВ)")
    LOW = "NN", _("НН (0,4 кВ и ниже)")


class Counterparty(BillingMirror):
    """A customer under contract: a legal entity, an entrepreneur or a person."""

    class Kind(models.TextChoices):
        LEGAL = "ul", _("Юридическое лицо")
        ENTREPRENEUR = "ip", _("Индивидуальный предприниматель")
        PERSON = "fl", _("Физическое лицо")

    COUNTERPARTY_PATH = ""

    kind = models.CharField(_("правовая форма"), max_length=2, choices=Kind.choices)
    name = models.CharField(_("полное наименование"), max_length=500)
    short_name = models.CharField(_("краткое наименование"), max_length=255)
    inn = models.CharField(
        _("ИНН"), max_length=12, blank=True, db_index=True, validators=[validators.validate_inn]
    )
    kpp = models.CharField(_("КПП"), max_length=9, blank=True, validators=[validators.validate_kpp])
    ogrn = models.CharField(
        _("ОГРН"), max_length=13, blank=True, validators=[validators.validate_ogrn]
    )
    ogrnip = models.CharField(
        _("ОГРНИП"), max_length=15, blank=True, validators=[validators.validate_ogrnip]
    )
    snils = models.CharField(
        _("СНИЛС"), max_length=11, blank=True, validators=[validators.validate_snils]
    )
    legal_address = models.CharField(_("юридический адрес"), max_length=500, blank=True)
    postal_address = models.CharField(_("почтовый адрес"), max_length=500, blank=True)
    bank_name = models.CharField(_("банк"), max_length=255, blank=True)
    bank_bik = models.CharField(_("БИК"), max_length=9, blank=True)
    bank_account = models.CharField(_("расчётный счёт"), max_length=20, blank=True)
    bank_corr_account = models.CharField(_("корреспондентский счёт"), max_length=20, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("контрагент")
        verbose_name_plural = _("контрагенты")
        ordering = ["short_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["ul", "ip", "fl"]), name="counterparty_kind_valid"
            ),
            # A legal entity is one INN+KPP; its branches share the INN with another KPP.
            models.UniqueConstraint(
                fields=["inn", "kpp"],
                condition=models.Q(kind="ul"),
                name="counterparty_ul_inn_kpp_unique",
            ),
            models.UniqueConstraint(
                fields=["ogrnip"],
                condition=~models.Q(ogrnip=""),
                name="counterparty_ogrnip_unique",
            ),
            models.UniqueConstraint(
                fields=["snils"], condition=~models.Q(snils=""), name="counterparty_snils_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    @property
    def kind_abbreviation(self) -> str:
        """ЮЛ, ИП or ФЛ: the category as the header shows it (the full name is its title)."""
        return str(KIND_ABBREVIATIONS[self.kind])


KIND_ABBREVIATIONS = {
    Counterparty.Kind.LEGAL: _("ЮЛ"),
    Counterparty.Kind.ENTREPRENEUR: _("ИП"),
    Counterparty.Kind.PERSON: _("ФЛ"),
}


class Contact(BillingMirror):
    """An email or phone listed in a contract's details; registration checks against these."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Телефон")

    CONTRACT_PATH = "contract"
    # A contact of the counterparty as a whole has no contract: whoever was granted the whole
    # counterparty sees it, whoever was granted some contracts sees only theirs.
    COUNTERPARTY_SCOPE_PATH = "counterparty"

    counterparty = models.ForeignKey(
        Counterparty, on_delete=models.CASCADE, related_name="contacts"
    )
    contract = models.ForeignKey(
        "Contract", on_delete=models.CASCADE, related_name="contacts", null=True, blank=True
    )
    kind = models.CharField(_("вид"), max_length=5, choices=Kind.choices)
    value = models.CharField(_("значение"), max_length=255)
    person = models.CharField(_("контактное лицо"), max_length=255, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("контакт")
        verbose_name_plural = _("контакты")
        constraints = [
            models.UniqueConstraint(
                fields=["counterparty", "contract", "kind", "value"], name="contact_unique"
            )
        ]

    def __str__(self) -> str:
        return self.value


class Contract(BillingMirror):
    class Kind(models.TextChoices):
        SUPPLY = "supply", _("Энергоснабжение")
        SALE = "sale", _("Купля-продажа электроэнергии")
        TRANSMISSION = "transmission", _("Оказание услуг по передаче")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Действует")
        SUSPENDED = "suspended", _("Приостановлен")
        TERMINATED = "terminated", _("Расторгнут")

    class PriceCategory(models.IntegerChoices):
        FIRST = 1, _("Первая ценовая категория")
        SECOND = 2, _("Вторая ценовая категория")
        THIRD = 3, _("Третья ценовая категория")
        FOURTH = 4, _("Четвёртая ценовая категория")
        FIFTH = 5, _("Пятая ценовая категория")
        SIXTH = 6, _("Шестая ценовая категория")

    CONTRACT_PATH = ""

    counterparty = models.ForeignKey(
        Counterparty,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("контрагент"),
    )
    number = models.CharField(_("номер договора"), max_length=50, unique=True)
    signed_on = models.DateField(_("дата договора"))
    kind = models.CharField(_("вид договора"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, db_index=True)
    price_category = models.PositiveSmallIntegerField(
        _("ценовая категория"), choices=PriceCategory.choices
    )
    voltage_level = models.CharField(
        _("уровень напряжения"), max_length=3, choices=VoltageLevel.choices
    )
    max_power_kw = models.DecimalField(
        _("максимальная мощность, кВт"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )
    valid_from = models.DateField(_("действует с"), null=True, blank=True)
    valid_to = models.DateField(_("действует по"), null=True, blank=True)
    # Billing's balance: positive is an overpayment, negative a debt.
    balance = models.DecimalField(_("сальдо, ₽"), max_digits=14, decimal_places=2, default=ZERO)
    balance_on = models.DateField(_("сальдо на дату"), null=True, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("договор")
        verbose_name_plural = _("договоры")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_power_kw__gte=0), name="contract_max_power_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(price_category__gte=1, price_category__lte=6),
                name="contract_price_category_range",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="contract_validity_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["counterparty", "status"]),
            # A customer's contracts in the list's order: pages picked from the index alone.
            models.Index(fields=["counterparty", "number", "id"], name="contract_cp_number_id"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def debt(self) -> Decimal:
        return -self.balance if self.balance < 0 else ZERO


class ConsumptionObject(BillingMirror):
    """A building, premises or site supplied under a contract."""

    class Kind(models.TextChoices):
        BUILDING = "building", _("Здание")
        PREMISES = "premises", _("Нежилое помещение")
        FLAT = "flat", _("Квартира")
        HOUSE = "house", _("Жилой дом")
        PLANT = "plant", _("Производственный объект")
        SITE = "site", _("Площадка")
        OTHER = "other", _("Прочее")

    CONTRACT_PATH = "contract"

    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="objects_supplied",
        verbose_name=_("договор"),
    )
    name = models.CharField(_("наименование"), max_length=255)
    kind = models.CharField(_("вид объекта"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("адрес"), max_length=500)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("объект потребления")
        verbose_name_plural = _("объекты потребления")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MeteringPoint(BillingMirror):
    """A point where energy is metered (ТУ); belongs to a contract and an object."""

    CONTRACT_PATH = "contract"
    COUNTERPARTY_SCOPE_PATH = "counterparty"
    #: What `search_text` holds (lkk/core/lists.py searches through it).
    SEARCH_TEXT_FIELDS = ("code", "name", "address")

    # The contract's counterparty, kept here for isolation by index (see access.py).
    counterparty = models.ForeignKey(
        Counterparty, on_delete=models.PROTECT, related_name="+", editable=False
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="metering_points",
        verbose_name=_("договор"),
    )
    consumption_object = models.ForeignKey(
        ConsumptionObject,
        on_delete=models.PROTECT,
        related_name="metering_points",
        verbose_name=_("объект потребления"),
    )
    code = models.CharField(_("код точки учёта"), max_length=50, unique=True)
    name = models.CharField(_("наименование"), max_length=255)
    address = models.CharField(_("адрес"), max_length=500)
    voltage_level = models.CharField(
        _("уровень напряжения"), max_length=3, choices=VoltageLevel.choices
    )
    max_power_kw = models.DecimalField(
        _("максимальная мощность, кВт"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )
    # What the lists search of a point, lower-cased once when the row is written: a search
    # compares stored text instead of lower-casing three columns of each row, and one trigram
    # index (PostgreSQL, migration 0003) answers it.
    search_text = models.GeneratedField(
        expression=Lower(Concat("code", Value("\n"), "name", Value("\n"), "address")),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("точка учёта")
        verbose_name_plural = _("точки учёта")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_power_kw__gte=0), name="point_max_power_non_negative"
            )
        ]
        # A customer's points in each sort order of «Точки учёта», the primary key last as the
        # list's tie-breaker: any page's ids come from one index range (lkk/core/lists.py).
        indexes = [
            models.Index(fields=["counterparty", "code", "id"], name="point_cp_code_id"),
            models.Index(fields=["counterparty", "name", "id"], name="point_cp_name_id"),
            models.Index(fields=["counterparty", "address", "id"], name="point_cp_address_id"),
            models.Index(fields=["counterparty", "max_power_kw", "id"], name="point_cp_power_id"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.counterparty_id = self.contract.counterparty_id
        super().save(*args, **kwargs)


class TariffZones(models.IntegerChoices):
    SINGLE = 1, _("Однотарифный")
    TWO = 2, _("Двухзонный (день/ночь)")
    THREE = 3, _("Трёхзонный (пик/полупик/ночь)")


class Zone(models.TextChoices):
    TOTAL = "total", _("Сутки")
    DAY = "day", _("День")
    NIGHT = "night", _("Ночь")
    PEAK = "peak", _("Пик")
    HALF_PEAK = "half_peak", _("Полупик")


ZONES_BY_TARIFF: dict[int, tuple[str, ...]] = {
    TariffZones.SINGLE: (Zone.TOTAL,),
    TariffZones.TWO: (Zone.DAY, Zone.NIGHT),
    # Т1, Т2, Т3 as meters show them: peak, night, half-peak.
    TariffZones.THREE: (Zone.PEAK, Zone.NIGHT, Zone.HALF_PEAK),
}


class Meter(BillingMirror):
    """A meter (ПУ) installed at a metering point."""

    class Verification(models.TextChoices):
        OK = "ok", _("Поверка действует")
        DUE_SOON = "due_soon", _("Скоро поверка")
        OVERDUE = "overdue", _("Поверка просрочена")

    CONTRACT_PATH = "metering_point__contract"
    COUNTERPARTY_SCOPE_PATH = "counterparty"
    #: What `search_text` holds (lkk/core/lists.py searches through it).
    SEARCH_TEXT_FIELDS = ("serial_number", "model")

    # The point's counterparty, kept here for isolation by index (see access.py).
    counterparty = models.ForeignKey(
        Counterparty, on_delete=models.PROTECT, related_name="+", editable=False
    )
    metering_point = models.ForeignKey(
        MeteringPoint,
        on_delete=models.PROTECT,
        related_name="meters",
        verbose_name=_("точка учёта"),
    )
    serial_number = models.CharField(_("заводской номер"), max_length=50)
    model = models.CharField(_("тип (модель)"), max_length=100)
    digit_capacity = models.PositiveSmallIntegerField(_("разрядность (целых знаков)"))
    decimal_places = models.PositiveSmallIntegerField(_("знаков после запятой"), default=0)
    transformation_ratio = models.PositiveIntegerField(_("коэффициент трансформации"), default=1)
    tariff_zones = models.PositiveSmallIntegerField(
        _("тарифность"), choices=TariffZones.choices, default=TariffZones.SINGLE
    )
    installed_on = models.DateField(_("дата установки"))
    removed_on = models.DateField(_("дата снятия"), null=True, blank=True)
    verified_on = models.DateField(_("дата поверки"))
    next_verification_on = models.DateField(_("дата следующей поверки"))
    is_automatic = models.BooleanField(
        _("дистанционный сбор (АСКУЭ)"),
        default=False,
        help_text=_("Показания снимаются автоматически; ручная передача не нужна."),
    )
    # What the lists search of a meter itself, lower-cased once (see MeteringPoint).
    search_text = models.GeneratedField(
        expression=Lower(Concat("serial_number", Value("\n"), "model")),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("прибор учёта")
        verbose_name_plural = _("приборы учёта")
        ordering = ["serial_number"]
        constraints = [
            models.UniqueConstraint(fields=["model", "serial_number"], name="meter_serial_unique"),
            # One meter in service per point; removed meters stay for the history.
            models.UniqueConstraint(
                fields=["metering_point"],
                condition=models.Q(removed_on__isnull=True),
                name="meter_one_active_per_point",
            ),
            models.CheckConstraint(
                condition=models.Q(digit_capacity__gte=3, digit_capacity__lte=10),
                name="meter_digit_capacity_range",
            ),
            models.CheckConstraint(
                condition=models.Q(decimal_places__lte=4), name="meter_decimal_places_range"
            ),
            models.CheckConstraint(
                condition=models.Q(transformation_ratio__gte=1), name="meter_ratio_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(tariff_zones__in=[1, 2, 3]), name="meter_tariff_zones_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(next_verification_on__gte=models.F("verified_on")),
                name="meter_verification_ordered",
            ),
        ]
        # As for points: one index per sort order of «Приборы учёта», the primary key last.
        indexes = [
            models.Index(fields=["counterparty", "serial_number", "id"], name="meter_cp_serial_id"),
            models.Index(fields=["counterparty", "model", "id"], name="meter_cp_model_id"),
            models.Index(
                fields=["counterparty", "next_verification_on", "id"],
                name="meter_cp_verification_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} № {self.serial_number}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.counterparty_id = self.metering_point.counterparty_id
        super().save(*args, **kwargs)

    @property
    def zones(self) -> tuple[str, ...]:
        return ZONES_BY_TARIFF[self.tariff_zones]

    def get_zone_label(self, zone: str) -> str:
        """«Т1 (День)»: the register's number on the meter's display and its name.

        A zone outside the meter's present tariff (the tariff was changed since the reading) has
        no register number: its bare name.
        """
        name = str(Zone(zone).label) if zone in Zone.values else zone
        if len(self.zones) > 1 and zone in self.zones:
            return f"Т{self.zones.index(zone) + 1} ({name})"
        return name

    def verification_state(self, today: dt.date) -> str:
        return self.verification_state_of(self.next_verification_on, today)

    @classmethod
    def verification_state_of(cls, next_verification_on: dt.date, today: dt.date) -> str:
        """The state of a meter whose next verification is due `next_verification_on`."""
        if next_verification_on < today:
            return cls.Verification.OVERDUE
        days = settings.LKK_VERIFICATION_WARNING_DAYS
        if next_verification_on <= today + dt.timedelta(days=days):
            return cls.Verification.DUE_SOON
        return cls.Verification.OK


class AccessGrant(models.Model):
    """A user may act for a counterparty: for all its contracts or only for the listed ones."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants"
    )
    counterparty = models.ForeignKey(
        Counterparty, on_delete=models.CASCADE, related_name="access_grants"
    )
    all_contracts = models.BooleanField(_("все договоры"), default=True)
    contracts = models.ManyToManyField(Contract, blank=True, related_name="access_grants")
    granted_at = models.DateTimeField(_("предоставлен"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("доступ к контрагенту")
        verbose_name_plural = _("доступы к контрагентам")
        constraints = [
            models.UniqueConstraint(fields=["user", "counterparty"], name="grant_user_counterparty")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.counterparty}"
