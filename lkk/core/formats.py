from decimal import Decimal

from django.utils.formats import number_format


def quantity(value: Decimal | int | str) -> str:
    """A meter value or kWh without trailing zeros, in the active language's format.

    12345.6000 → «12 345,6» in Russian, "12,345.6" in English.
    """
    value = Decimal(value)
    places = max(0, -value.normalize().as_tuple().exponent)
    return number_format(value, min(places, 4), force_grouping=True)
