"""The data of reports R1–R3, read through `visible_to(user)`: the same for the page, the XLSX
and the PDF, so that every amount in them is the database's sum for the same filter."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from lkk.billing.models import Charge, ChargeLine, Payment, TariffComponent
from lkk.billing.selectors import month_end, month_start
from lkk.customers.models import Contract, MeteringPoint
from lkk.readings.models import Reading

ZERO = Decimal("0")
CHUNK = 50  # contracts per step of the progress bar


@dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list[object]] = field(default_factory=list)
    total: list[object] | None = None


@dataclass
class Built:
    title: str
    subtitle: str
    sections: list[Section]
    chart: dict | None = None


@dataclass(frozen=True)
class Params:
    start: dt.date
    end: dt.date
    contract_ids: tuple[int, ...]  # empty: every contract of the counterparty the user sees

    @classmethod
    def from_json(cls, data: dict) -> Params:
        return cls(
            dt.date.fromisoformat(data["start"]),
            dt.date.fromisoformat(data["end"]),
            tuple(int(i) for i in data.get("contracts", [])),
        )

    def to_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "contracts": list(self.contract_ids),
        }

    @property
    def label(self) -> str:
        return f"{self.start:%m.%Y} — {self.end:%m.%Y}"


def contracts_for(user, counterparty_id: int, params: Params) -> list[tuple[int, str]]:
    qs = Contract.objects.visible_to(user).filter(counterparty_id=counterparty_id)
    if params.contract_ids:
        qs = qs.filter(pk__in=params.contract_ids)
    return list(qs.order_by("number").values_list("pk", "number"))


def _months(params: Params) -> list[dt.date]:
    months, month = [], params.start
    while month <= params.end:
        months.append(month)
        month = month_start(month, -1)
    return months


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


Progress = Callable[[int], None]


def _noop(percent: int) -> None:
    return None


def consumption(user, counterparty_id: int, params: Params, progress: Progress = _noop) -> Built:
    """R1: kWh by month and by metering point, from the readings billing and the portal have
    (every reading not rejected, by its date)."""
    contracts = contracts_for(user, counterparty_id, params)
    by_month: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    by_point: dict[int, Decimal] = defaultdict(lambda: ZERO)
    last_day = month_end(params.end)
    for n, chunk in enumerate(_chunks(contracts), start=1):
        ids = [pk for pk, _number in chunk]
        rows = (
            Reading.objects.visible_to(user)
            .filter(
                meter__metering_point__contract_id__in=ids,
                read_on__gte=params.start,
                read_on__lte=last_day,
                consumption__isnull=False,
            )
            .exclude(status=Reading.Status.REJECTED)
            .annotate(month=TruncMonth("read_on"))
            .values_list("month", "meter__metering_point_id")
            .annotate(kwh=Sum("consumption"))
            .order_by()
        )
        for month, point_id, kwh in rows:
            month = month.date() if isinstance(month, dt.datetime) else month
            by_month[month] += kwh
            by_point[point_id] += kwh
        progress(min(99, n * CHUNK * 100 // max(1, len(contracts))))
    points = (
        MeteringPoint.objects.visible_to(user)
        .filter(pk__in=list(by_point))
        .select_related("contract")
        .order_by("contract__number", "code")
    )
    months = _months(params)
    month_rows = [[f"{m:%m.%Y}", by_month.get(m, ZERO)] for m in months]
    total = sum(by_month.values(), ZERO)
    point_rows = [[p.contract.number, p.code, p.address, by_point[p.pk]] for p in points]
    return Built(
        title=_("Отчёт о потреблении"),
        subtitle=_("Период: %(period)s; договоров: %(n)s")
        % {"period": params.label, "n": len(contracts)},
        sections=[
            Section(
                _("По месяцам"), [_("Месяц"), _("Расход, кВт·ч")], month_rows, [_("Итого"), total]
            ),
            Section(
                _("По точкам учёта"),
                [_("Договор"), _("Точка учёта"), _("Адрес"), _("Расход, кВт·ч")],
                point_rows,
                [_("Итого"), "", "", total],
            ),
        ],
        chart={
            "type": "bar",
            "unit": "кВт·ч",
            "labels": [row[0] for row in month_rows],
            "datasets": [{"label": _("Расход"), "data": [str(row[1]) for row in month_rows]}],
        },
    )


def settlement(user, counterparty_id: int, params: Params, progress: Progress = _noop) -> Built:
    """R2: per contract and month: volume, price, amount, VAT, payments, closing balance.

    The closing balance of a month is billing's current balance with the later charges added
    back and the later payments taken off (positive: overpayment, negative: debt)."""
    contracts = contracts_for(user, counterparty_id, params)
    rows: list[list[object]] = []
    totals = [ZERO, ZERO, ZERO, ZERO]
    for n, chunk in enumerate(_chunks(contracts), start=1):
        ids = [pk for pk, _number in chunk]
        balances = dict(
            Contract.objects.visible_to(user).filter(pk__in=ids).values_list("pk", "balance")
        )
        charges = defaultdict(dict)
        for cid, period, kwh, amount in (
            Charge.objects.visible_to(user)
            .filter(contract_id__in=ids, period__gte=params.start)
            .values_list("contract_id", "period", "kwh", "amount")
        ):
            charges[cid][period] = (kwh, amount)
        vats = defaultdict(lambda: ZERO)
        for cid, period, vat in (
            ChargeLine.objects.visible_to(user)
            .filter(
                charge__contract_id__in=ids,
                charge__period__gte=params.start,
                charge__period__lte=params.end,
            )
            .values_list("charge__contract_id", "charge__period", "vat_amount")
        ):
            vats[(cid, period)] += vat
        paid = defaultdict(lambda: ZERO)
        for cid, paid_on, amount in (
            Payment.objects.visible_to(user)
            .filter(contract_id__in=ids, paid_on__gte=params.start)
            .values_list("contract_id", "paid_on", "amount")
        ):
            paid[(cid, month_start(paid_on))] += amount
        for cid, number in chunk:
            balance = balances[cid]
            later_charged = {p for p in charges[cid] if p > params.end}
            later_paid = {m for (c, m) in paid if c == cid and m > params.end}
            later_months = sorted(later_charged | later_paid)
            for month in later_months:
                balance += charges[cid].get(month, (ZERO, ZERO))[1] - paid.get((cid, month), ZERO)
            closing = {}
            for month in reversed(_months(params)):
                closing[month] = balance
                balance += charges[cid].get(month, (ZERO, ZERO))[1] - paid.get((cid, month), ZERO)
            for month in _months(params):
                kwh, amount = charges[cid].get(month, (ZERO, ZERO))
                vat = vats.get((cid, month), ZERO)
                price = ((amount - vat) / kwh).quantize(Decimal("0.00001")) if kwh else None
                month_paid = paid.get((cid, month), ZERO)
                if not kwh and not amount and not month_paid:
                    continue
                rows.append([number, f"{month:%m.%Y}", kwh, price, amount, vat, month_paid,
                             closing[month]])  # fmt: skip
                totals[0] += kwh
                totals[1] += amount
                totals[2] += vat
                totals[3] += month_paid
        progress(min(99, n * CHUNK * 100 // max(1, len(contracts))))
    headers = [
        _("Договор"), _("Месяц"), _("Объём, кВт·ч"), _("Цена без НДС, ₽/кВт·ч"),
        _("Начислено с НДС, ₽"), _("В т. ч. НДС, ₽"), _("Оплачено, ₽"),
        _("Сальдо на конец месяца, ₽"),
    ]  # fmt: skip
    return Built(
        title=_("Расчётная ведомость"),
        subtitle=_("Период: %(period)s; договоров: %(n)s")
        % {"period": params.label, "n": len(contracts)},
        sections=[
            Section(
                _("Начисления и оплаты"),
                headers,
                rows,
                [_("Итого"), "", totals[0], None, totals[1], totals[2], totals[3], None],
            ),
        ],
    )


def tariff(user, counterparty_id: int, params: Params, progress: Progress = _noop) -> Built:
    """R3: the components of the price of a kWh, as billing supplied them."""
    contracts = contracts_for(user, counterparty_id, params)
    kinds = list(TariffComponent.Kind)
    rows: list[list[object]] = []
    for n, chunk in enumerate(_chunks(contracts), start=1):
        ids = [pk for pk, _number in chunk]
        numbers = dict(chunk)
        table = defaultdict(dict)
        for cid, period, kind, price in (
            TariffComponent.objects.visible_to(user)
            .filter(contract_id__in=ids, period__gte=params.start, period__lte=params.end)
            .values_list("contract_id", "period", "kind", "price")
        ):
            table[(numbers[cid], period)][kind] = price
        for (number, period), prices in sorted(table.items()):
            values = [prices.get(k.value) for k in kinds]
            total = sum((v for v in values if v is not None), ZERO)
            rows.append([number, f"{period:%m.%Y}", *values, total])
        progress(min(99, n * CHUNK * 100 // max(1, len(contracts))))
    headers = [_("Договор"), _("Месяц"), *[str(k.label) for k in kinds],
               _("Итого без НДС, ₽/кВт·ч")]  # fmt: skip
    return Built(
        title=_("Справка о составляющих тарифа"),
        subtitle=_("Период: %(period)s; ставки без НДС, ₽/кВт·ч") % {"period": params.label},
        sections=[Section(_("Составляющие цены"), headers, rows)],
    )


BUILDERS = {"consumption": consumption, "settlement": settlement, "tariff": tariff}
