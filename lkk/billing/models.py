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

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="charges", verbose_name=_("договор")
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
