"""The billing mirror of money: charges, payments and the documents billing issues."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lkk.core.models import BillingMirror
from lkk.customers.access import VisibleQuerySet
from lkk.customers.models import Contract

ZERO = Decimal("0")


class Charge(BillingMirror):
    """What billing charged a contract for one month."""

    CONTRACT_PATH = "contract"

    # No index of its own: the unique (contract, period) index leads with it.
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="charges",
        verbose_name=_("договор"),
        db_index=False,
    )
    period = models.DateField(_("расчётный период"), help_text=_("первое число месяца"))
    kwh = models.DecimalField(
        _("объём, кВт·ч"), max_digits=16, decimal_places=3, validators=[MinValueValidator(ZERO)]
    )
    amount = models.DecimalField(
        _("сумма, ₽"), max_digits=14, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("начисление")
        verbose_name_plural = _("начисления")
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "period"], name="charge_one_per_period"),
            models.CheckConstraint(condition=models.Q(kwh__gte=0), name="charge_kwh_non_negative"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="charge_amount_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(period__day=1), name="charge_period_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.period:%m.%Y}: {self.amount}"


class Payment(BillingMirror):
    CONTRACT_PATH = "contract"

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="payments", verbose_name=_("договор")
    )
    paid_on = models.DateField(_("дата оплаты"))
    amount = models.DecimalField(
        _("сумма, ₽"), max_digits=14, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    document_number = models.CharField(_("номер платёжного документа"), max_length=50, blank=True)
    purpose = models.CharField(_("назначение платежа"), max_length=500, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("платёж")
        verbose_name_plural = _("платежи")
        ordering = ["-paid_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["contract", "-paid_on"])]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.paid_on}: {self.amount}"


class Document(BillingMirror):
    """A financial document billing issued: invoice, VAT invoice, act or UPD."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Счёт")
        VAT_INVOICE = "vat_invoice", _("Счёт-фактура")
        ACT = "act", _("Акт")
        UPD = "upd", _("УПД")

    CONTRACT_PATH = "contract"

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="documents", verbose_name=_("договор")
    )
    kind = models.CharField(_("вид документа"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("номер"), max_length=50)
    issued_on = models.DateField(_("дата"))
    period = models.DateField(_("расчётный период"), null=True, blank=True)
    amount = models.DecimalField(
        _("сумма, ₽"), max_digits=14, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    file = models.FileField(_("файл"), upload_to="documents/%Y/%m/", blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("документ")
        verbose_name_plural = _("документы")
        ordering = ["-issued_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number", "issued_on"], name="document_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="document_amount_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["contract", "-issued_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.number} от {self.issued_on:%d.%m.%Y}"


class Zone(models.TextChoices):
    """Tariff zones (and «total» for a one-rate tariff) a charge is split by."""

    TOTAL = "total", _("Круглосуточно")
    DAY = "day", _("День")
    NIGHT = "night", _("Ночь")
    PEAK = "peak", _("Пик")
    HALF_PEAK = "half_peak", _("Полупик")
    POWER = "power", _("Мощность")


class ChargeLine(BillingMirror):
    """One line of a charge as billing sent it: a tariff zone with its volume, price and VAT.

    The invariant (billing's, checked on import — lkk/exchange/importer.py `ChargeLineSums` —
    and by `charge_lines_mismatch` in tests): the lines of a charge add up to its `kwh` and
    `amount` exactly. `amount` includes VAT; `vat_amount` is the VAT in it, `price` the price of
    a kWh without VAT as billing stated it. Billing keys a line by its own `billing_id` (the
    exchange's `charge_lines` file).
    """

    CONTRACT_PATH = "charge__contract"

    # No index of its own: the unique (charge, zone) index leads with it.
    charge = models.ForeignKey(
        Charge,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("начисление"),
        db_index=False,
    )
    zone = models.CharField(_("зона суток"), max_length=12, choices=Zone.choices)
    kwh = models.DecimalField(
        _("объём, кВт·ч"), max_digits=16, decimal_places=3, validators=[MinValueValidator(ZERO)]
    )
    price = models.DecimalField(
        _("цена без НДС, ₽/кВт·ч"),
        max_digits=12,
        decimal_places=5,
        validators=[MinValueValidator(ZERO)],
    )
    amount = models.DecimalField(
        _("сумма с НДС, ₽"), max_digits=14, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    vat_rate = models.DecimalField(
        _("ставка НДС, %"), max_digits=5, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    vat_amount = models.DecimalField(
        _("сумма НДС, ₽"), max_digits=14, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("строка начисления")
        verbose_name_plural = _("строки начислений")
        ordering = ["charge", "id"]
        constraints = [
            models.UniqueConstraint(fields=["charge", "zone"], name="charge_line_one_per_zone"),
            models.CheckConstraint(
                condition=models.Q(kwh__gte=0, amount__gte=0, vat_amount__gte=0, price__gte=0),
                name="charge_line_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(vat_amount__lte=models.F("amount")),
                name="charge_line_vat_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.charge_id} {self.zone}: {self.amount}"

    @property
    def amount_net(self) -> Decimal:
        return self.amount - self.vat_amount


class TariffComponent(BillingMirror):
    """R3: a component of the price of a kWh for a contract and month, as billing supplied it
    (keyed by billing's `billing_id`: the exchange's `tariff_components` file)."""

    class Kind(models.TextChoices):
        GENERATION = "generation", _("Средневзвешенная цена покупки электроэнергии (мощности)")
        TRANSMISSION = "transmission", _("Тариф на услуги по передаче")
        SALES_MARKUP = "sales_markup", _("Сбытовая надбавка гарантирующего поставщика")
        INFRASTRUCTURE = "infrastructure", _("Плата за иные услуги (инфраструктурные платежи)")

    CONTRACT_PATH = "contract"

    # No index of its own: the unique (contract, period, kind) index leads with it.
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="tariff_components",
        db_index=False,
        verbose_name=_("договор"),
    )
    period = models.DateField(_("расчётный период"), help_text=_("первое число месяца"))
    kind = models.CharField(_("составляющая"), max_length=16, choices=Kind.choices)
    price = models.DecimalField(_("ставка без НДС, ₽/кВт·ч"), max_digits=12, decimal_places=5)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("составляющая тарифа")
        verbose_name_plural = _("составляющие тарифа")
        ordering = ["contract", "-period", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period", "kind"], name="tariff_component_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(period__day=1), name="tariff_component_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.period:%m.%Y} {self.kind}: {self.price}"
