"""get_FOO_display() of the portal's models says what Django's says, in either language."""

from __future__ import annotations

from django.db.models import Model
from django.utils import translation

from lkk.customers.models import Contract, Meter
from lkk.readings.models import Reading


def _django(instance, name: str):
    return Model._get_FIELD_display(instance, instance._meta.get_field(name))


def test_labels_are_djangos_in_both_languages():
    contract = Contract(status="suspended", kind="supply", price_category=3, voltage_level="SN2")
    reading = Reading(zone="half_peak", source="askue", status="rejected")
    for language in ("ru", "en"):
        with translation.override(language):
            for instance, names in (
                (contract, ("status", "kind", "price_category", "voltage_level")),
                (reading, ("zone", "source", "status")),
                (Meter(tariff_zones=2), ("tariff_zones",)),
            ):
                for name in names:
                    ours = getattr(instance, f"get_{name}_display")()
                    assert ours == _django(instance, name)
    with translation.override("en"):
        assert contract.get_status_display() == _django(contract, "status") != "Приостановлен"


def test_a_value_without_a_label_is_shown_as_it_is():
    assert Contract(status="unknown").get_status_display() == "unknown"
    assert Contract(price_category=None).get_price_category_display() is None
