"""A report's cell: numbers (Decimal) right-aligned and formatted, the rest as text."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def is_number(value: object) -> bool:
    return isinstance(value, Decimal)
