import datetime as dt

from django import template

from lkk.customers.models import Meter

register = template.Library()


@register.filter
def verification_state(meter: Meter, today: dt.date) -> str:
    return meter.verification_state(today)
