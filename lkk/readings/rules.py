"""The rules billing applies to a meter reading, as pure functions (M2).

The form, the correction and the XLSX upload all call these, so a reading is judged the same way
whichever way it comes in. Nothing here touches the database.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lkk.core import formats
from lkk.customers.models import Contract, Meter

NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
#: A rolled-over meter has passed its last digit: what it counted since cannot be more than this
#: share of its range, or the lower value is a typo rather than a rollover.
ROLLOVER_SHARE = Decimal("0.1")
DAYS_PER_MONTH = Decimal("30.44")


class PastReading(NamedTuple):
    """A reading on file. A named tuple, cheaper to make than a frozen dataclass: an upload's
    history makes tens of thousands of them (29,144 for the bench's 2,703 meters)."""

    value: Decimal
    read_on: dt.date
    meter_id: int


@dataclass
class ZoneHistory:
    """What the portal knows of one meter register before today."""

    previous: PastReading | None = None  # the point's last reading in this zone
    same_meter: list[PastReading] = field(default_factory=list)  # this meter's, newest first
    today: PastReading | None = None  # already submitted today


@dataclass
class ZoneVerdict:
    zone: str
    value: Decimal | None = None
    previous: PastReading | None = None
    consumption: Decimal | None = None
    rolled_over: bool = False
    error: str = ""
    confirm: str = ""  # accepted only once the customer confirms


@dataclass(frozen=True)
class Window:
    first_day: int
    last_day: int

    @classmethod
    def parse(cls, text: str) -> Window:
        match = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", text or "")
        if not match:
            raise ImproperlyConfigured(f"LKK_READING_WINDOW must look like 15-25, not {text!r}")
        first, last = int(match[1]), int(match[2])
        if not 1 <= first <= last <= 31:
            raise ImproperlyConfigured(f"LKK_READING_WINDOW days must be 1..31: {text!r}")
        return cls(first, last)

    def is_open(self, today: dt.date) -> bool:
        month_end = calendar.monthrange(today.year, today.month)[1]
        return self.first_day <= today.day <= min(self.last_day, month_end)

    def next_opening(self, today: dt.date) -> dt.date:
        if today.day < self.first_day:
            day = min(self.first_day, calendar.monthrange(today.year, today.month)[1])
            return today.replace(day=day)
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return dt.date(year, month, min(self.first_day, calendar.monthrange(year, month)[1]))

    def closes_on(self, today: dt.date) -> dt.date:
        """The last day of this month's window (in a short month, its last day)."""
        month_end = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=min(self.last_day, month_end))

    def state_message(self, today: dt.date) -> str:
        """«Главная»: open until when, or when it opens next."""
        if self.is_open(today):
            return _("Приём показаний открыт до %(date)s включительно.") % {
                "date": date_format(self.closes_on(today), "d.m.Y")
            }
        return self.closed_message(today)

    def closed_message(self, today: dt.date) -> str:
        return _(
            "Приём показаний открыт с %(first)s по %(last)s число месяца. "
            "Следующий приём начнётся %(date)s."
        ) % {
            "first": self.first_day,
            "last": self.last_day,
            "date": date_format(self.next_opening(today), "d.m.Y"),
        }


def meter_refusal(meter: Meter, contract: Contract) -> str:
    """Why this meter takes no manual reading at all, or an empty string."""
    if contract.status == Contract.Status.TERMINATED:
        return _("Договор № %(number)s расторгнут: показания по нему не принимаются.") % {
            "number": contract.number
        }
    if meter.removed_on is not None:
        return _("Прибор учёта снят %(date)s: показания по нему не принимаются.") % {
            "date": date_format(meter.removed_on, "d.m.Y")
        }
    if meter.is_automatic:
        return _(
            "Показания этого прибора учёта поступают автоматически (АСКУЭ): "
            "передавать их вручную не нужно."
        )
    return ""


def meter_warning(meter: Meter, today: dt.date) -> str:
    """Accepted, but the customer should know (verification overdue)."""
    if meter.next_verification_on < today:
        return _(
            "Срок поверки прибора учёта истёк %(date)s. Показания приняты, но при расчёте могут "
            "быть не учтены: закажите поверку или замену прибора."
        ) % {"date": date_format(meter.next_verification_on, "d.m.Y")}
    return ""


def parse_value(raw: str, meter: Meter) -> Decimal:
    """The number typed into a field, within the meter's digits; ValueError with the message."""
    # Digit groups as the portal shows them («244 706,9») may be typed or pasted back.
    text = formats.ungroup(raw)
    if text.startswith("-") and NUMBER.match(text[1:]):
        raise ValueError(_("Показание не может быть отрицательным."))
    if not NUMBER.match(text):
        raise ValueError(_("Введите показание числом, например 12345,6."))
    whole, _sep, fraction = text.replace(",", ".").partition(".")
    if len(whole.lstrip("0") or "0") > meter.digit_capacity:
        raise ValueError(
            ngettext(
                "Не больше %(digits)s знака до запятой: столько разрядов у прибора учёта.",
                "Не больше %(digits)s знаков до запятой: столько разрядов у прибора учёта.",
                meter.digit_capacity,
            )
            % {"digits": meter.digit_capacity}
        )
    if len(fraction.rstrip("0")) > meter.decimal_places:
        if meter.decimal_places == 0:
            raise ValueError(_("Этот прибор учёта показывает целые числа: дробная часть лишняя."))
        raise ValueError(
            ngettext(
                "Не больше %(places)s знака после запятой.",
                "Не больше %(places)s знаков после запятой.",
                meter.decimal_places,
            )
            % {"places": meter.decimal_places}
        )
    try:
        return Decimal(f"{whole}.{fraction or '0'}")
    except InvalidOperation as error:  # pragma: no cover — the pattern admits only digits
        raise ValueError(_("Введите показание числом, например 12345,6.")) from error


def usual_monthly(history: list[PastReading]) -> Decimal | None:
    """Meter units per month over this meter's recent readings (newest first), if known."""
    if len(history) < 2:
        return None
    newest, oldest = history[0], history[-1]
    days = (newest.read_on - oldest.read_on).days
    if days <= 0 or newest.value < oldest.value:
        return None
    return (newest.value - oldest.value) * DAYS_PER_MONTH / days


def _shown(amount: Decimal, meter: Meter) -> str:
    """A value or a consumption with the meter's decimals, as the meter shows it."""
    return formats.reading(amount, meter.decimal_places)


def judge_zone(
    *,
    meter: Meter,
    zone: str,
    raw: str,
    history: ZoneHistory,
    today: dt.date,
    confirmed: bool,
    jump_factor: float,
) -> ZoneVerdict:
    verdict = ZoneVerdict(zone=zone, previous=history.previous)
    try:
        value = parse_value(raw, meter)
    except ValueError as error:
        verdict.error = str(error)
        return verdict
    verdict.value = value
    previous = history.previous

    if previous is None or previous.meter_id != meter.pk:
        # No earlier reading, or it was taken on the meter this one replaced: nothing to compare.
        return verdict
    ratio = meter.transformation_ratio
    units = value - previous.value
    if units < 0:
        capacity = Decimal(10) ** meter.digit_capacity
        rolled = capacity - previous.value + value
        # A previous value past the meter's range cannot roll over: then it is simply lower.
        if rolled <= 0 or rolled > capacity * ROLLOVER_SHARE:
            verdict.error = _(
                "Показание не может быть меньше предыдущего: %(value)s от %(date)s."
            ) % {
                "value": _shown(previous.value, meter),
                "date": date_format(previous.read_on, "d.m.Y"),
            }
            return verdict
        units = rolled
        verdict.rolled_over = True
        if not confirmed:
            verdict.confirm = _(
                "Показание меньше предыдущего (%(value)s от %(date)s). Если счётчик перешёл "
                "через ноль, подтвердите: расход составит %(kwh)s кВт·ч."
            ) % {
                "value": _shown(previous.value, meter),
                "date": date_format(previous.read_on, "d.m.Y"),
                "kwh": _shown(units * ratio, meter),
            }
    verdict.consumption = units * ratio
    usual = usual_monthly(history.same_meter)
    if usual and not verdict.confirm and not confirmed:
        months = max(Decimal(1), Decimal((today - previous.read_on).days) / DAYS_PER_MONTH)
        if units / months > usual * Decimal(str(jump_factor)):
            verdict.confirm = _(
                "Расход %(kwh)s кВт·ч намного больше обычного (около %(usual)s кВт·ч в месяц). "
                "Проверьте показание и подтвердите его."
            ) % {
                "kwh": _shown(units * ratio, meter),
                # An average: a tenth of a kWh is precision enough.
                "usual": formats.number(usual * ratio, min(1, meter.decimal_places)),
            }
    return verdict
