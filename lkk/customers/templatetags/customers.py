import datetime as dt

from django import template

from lkk.core.formats import quantity
from lkk.customers.models import Meter

register = template.Library()


@register.filter
def verification_state(meter: Meter, today: dt.date) -> str:
    return meter.verification_state(today)


@register.filter
def reading_value(value: object) -> str:
    """A meter value without trailing zeros: 12345.6000 → «12 345,6»."""
    return "" if value is None or value == "" else quantity(value)
