"""T3: the cost of technological connection from the operator's rates, in Decimal throughout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.connection.models import Category, FixedFee, Purpose, Rate, Voltage
from lkk.core.errors import ApplicationError

KOPECK = Decimal("0.01")
#: The largest power the calculator takes (a sanity bound: 110 kV feeds of hundreds of MW).
MAX_KW = Decimal("1000000")


@dataclass(frozen=True)
class Cost:
    charged_kw: Decimal  # the kW the fee is for: all of it, or the increase
    net: Decimal  # without VAT
    vat_percent: Decimal
    vat: Decimal
    total: Decimal
    rate: Rate | None  # the per-kW rate used, or None for the fixed fee
    fixed: FixedFee | None


def money(value: Decimal) -> Decimal:
    return value.quantize(KOPECK, ROUND_HALF_UP)


def _valid_on(queryset, day: dt.date):
    return queryset.filter(valid_from__lte=day).order_by("-valid_from", "-pk").first()


def connection_cost(
    *,
    power_kw: Decimal,
    purpose: str,
    voltage: str,
    category: str,
    previous_kw: Decimal = Decimal("0"),
    on: dt.date | None = None,
) -> Cost:
    """The fee for connecting `power_kw` of maximum power (for an increase, the power after
    it, of which `previous_kw` is connected already). The fixed fee applies when the whole
    maximum power is at most the fee's limit (15 kW), at 0.4 kV, category III."""
    day = on or timezone.localdate()
    if purpose not in Purpose.values or voltage not in Voltage.values:
        raise ApplicationError(_("Выберите значение из списка."))
    if category not in Category.values:
        raise ApplicationError(_("Выберите значение из списка."), field="category")
    if not (Decimal("0") < power_kw <= MAX_KW):
        raise ApplicationError(_("Укажите мощность больше нуля."), field="power_kw")
    if purpose == Purpose.INCREASE:
        if previous_kw <= 0:
            raise ApplicationError(
                _("Укажите ранее присоединённую мощность больше нуля."), field="previous_kw"
            )
        if previous_kw >= power_kw:
            raise ApplicationError(
                _("Мощность после увеличения должна быть больше ранее присоединённой."),
                field="power_kw",
            )
        charged = power_kw - previous_kw
    else:
        charged = power_kw
    fixed = _valid_on(FixedFee.objects.all(), day)
    if (
        fixed is not None
        and power_kw <= fixed.max_kw
        and voltage == Voltage.LV
        and category == Category.III
    ):
        net = money(fixed.amount)
        vat = money(net * fixed.vat_percent / 100)
        return Cost(charged, net, fixed.vat_percent, vat, net + vat, None, fixed)
    rate = _valid_on(Rate.objects.filter(voltage=voltage, category=category, purpose=purpose), day)
    if rate is None:
        raise ApplicationError(
            _("Для этих условий ставка не утверждена: обратитесь в контактный центр.")
        )
    net = money(charged * rate.per_kw)
    vat = money(net * rate.vat_percent / 100)
    return Cost(charged, net, rate.vat_percent, vat, net + vat, rate, None)
