"""The exchange format as data: one `Entity` per file billing sends (docs/exchange.md).

A column's type, length, choices, validators (ИНН, КПП, ОГРН…) and whether it is required are
read from the model field of the same name, so a new entity or column is a line here: the
importer, the mirror dump and the documentation's table all follow this registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from lkk.billing.models import Charge, ChargeLine, Document, Payment, TariffComponent
from lkk.customers.models import (
    ConsumptionObject,
    Contact,
    Contract,
    Counterparty,
    Meter,
    MeteringPoint,
)
from lkk.readings.models import Reading


@dataclass(frozen=True)
class Ref:
    """A column holding the billing_id of a parent row (of entity `entity`)."""

    column: str  # the column's name in the file, and the model's foreign key
    entity: str
    required: bool = True
    #: Parent's attname → this row's attname, copied from the parent (denormalised columns).
    copy: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Entity:
    name: str  # the file's stem: counterparties.csv / counterparties.json
    model: type[models.Model]
    columns: tuple[str, ...]  # model fields, one column each, named as the field
    refs: tuple[Ref, ...] = ()
    #: Values of columns a file may leave out (the column becomes optional).
    defaults: dict[str, object] = field(default_factory=dict)
    #: A FileField filled from `files/…` beside the data file (PDF only).
    file_column: str | None = None
    #: Which rows of the model belong to billing's mirror (for the mirror dump).
    mirror_filter: models.Q = field(default_factory=models.Q)
    #: Attnames that find a row the portal made itself (no billing_id yet) when billing sends
    #: it back with its own ID: that row is updated instead of a duplicate refused.
    natural_key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        extra = (self.file_column,) if self.file_column else ()
        header = ("billing_id", *(r.column for r in self.refs), *self.columns, *extra)
        object.__setattr__(self, "header", header)

    header: tuple[str, ...] = field(init=False)  # the file's columns, in order

    def model_field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)

    def is_required(self, column: str) -> bool:
        if column == "billing_id":
            return True
        for ref in self.refs:
            if ref.column == column:
                return ref.required
        if column == self.file_column or column in self.defaults:
            return False
        f = self.model_field(column)
        return not (f.blank or f.null or f.has_default())


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "counterparties",
            Counterparty,
            (
                "kind",
                "name",
                "short_name",
                "inn",
                "kpp",
                "ogrn",
                "ogrnip",
                "snils",
                "legal_address",
                "postal_address",
                "bank_name",
                "bank_bik",
                "bank_account",
                "bank_corr_account",
            ),
        ),
        Entity(
            "contracts",
            Contract,
            (
                "number",
                "signed_on",
                "kind",
                "status",
                "price_category",
                "voltage_level",
                "max_power_kw",
                "valid_from",
                "valid_to",
                "balance",
                "balance_on",
            ),
            refs=(Ref("counterparty", "counterparties"),),
        ),
        Entity(
            "contacts",
            Contact,
            ("kind", "value", "person"),
            refs=(Ref("counterparty", "counterparties"), Ref("contract", "contracts", False)),
        ),
        Entity(
            "objects",
            ConsumptionObject,
            ("name", "kind", "address"),
            refs=(Ref("contract", "contracts"),),
        ),
        Entity(
            "points",
            MeteringPoint,
            ("code", "name", "address", "voltage_level", "max_power_kw"),
            refs=(
                Ref("contract", "contracts", copy=(("counterparty_id", "counterparty_id"),)),
                Ref("consumption_object", "objects"),
            ),
        ),
        Entity(
            "meters",
            Meter,
            (
                "serial_number",
                "model",
                "digit_capacity",
                "decimal_places",
                "transformation_ratio",
                "tariff_zones",
                "installed_on",
                "removed_on",
                "verified_on",
                "next_verification_on",
                "is_automatic",
            ),
            refs=(Ref("metering_point", "points", copy=(("counterparty_id", "counterparty_id"),)),),
        ),
        Entity(
            "readings",
            Reading,
            (
                "zone",
                "value",
                "read_on",
                "consumption",
                "rolled_over",
                "source",
                "status",
                "rejection_reason",
            ),
            refs=(Ref("meter", "meters"),),
            defaults={"source": Reading.Source.BILLING, "status": Reading.Status.TAKEN},
            # Readings customers entered and billing has not given an ID yet are the portal's.
            mirror_filter=models.Q(billing_id__isnull=False),
            # A reading a customer entered, taken by billing, comes back with billing's ID.
            natural_key=("meter_id", "zone", "read_on"),
        ),
        Entity(
            "charges",
            Charge,
            ("period", "kwh", "amount"),
            refs=(Ref("contract", "contracts"),),
        ),
        Entity(
            # A charge's lines by tariff zone: they add up to the charge exactly, or that
            # charge's lines are rejected (lkk/exchange/importer.py ChargeLineSums).
            "charge_lines",
            ChargeLine,
            ("zone", "kwh", "price", "amount", "vat_rate", "vat_amount"),
            refs=(Ref("charge", "charges"),),
        ),
        Entity(
            "tariff_components",
            TariffComponent,
            ("period", "kind", "price"),
            refs=(Ref("contract", "contracts"),),
        ),
        Entity(
            "payments",
            Payment,
            ("paid_on", "amount", "document_number", "purpose"),
            refs=(Ref("contract", "contracts"),),
        ),
        Entity(
            "documents",
            Document,
            ("kind", "number", "issued_on", "period", "amount"),
            refs=(Ref("contract", "contracts"),),
            file_column="file",
        ),
    )
}
#: The order a folder is imported in: parents before children.
ORDER = tuple(ENTITIES)
