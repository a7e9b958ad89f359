"""The database itself holds the billing mirror's invariants."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from lkk.billing.models import Charge
from lkk.customers.tests.factories import (
    ContractFactory,
    MeterFactory,
    MeteringPointFactory,
    ReadingFactory,
)


def _fails(factory, **kwargs) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


@pytest.mark.django_db
def test_contract_number_is_unique():
    ContractFactory(number="100500")
    _fails(ContractFactory, number="100500")


@pytest.mark.django_db
def test_contract_power_is_not_negative():
    _fails(ContractFactory, max_power_kw=Decimal("-1"))


@pytest.mark.django_db
def test_one_reading_per_meter_zone_and_date():
    reading = ReadingFactory()
    _fails(ReadingFactory, meter=reading.meter, zone=reading.zone, read_on=reading.read_on)
    ReadingFactory(meter=reading.meter, zone=reading.zone, read_on=dt.date(2026, 11, 25))


@pytest.mark.django_db
def test_reading_value_is_not_negative():
    _fails(ReadingFactory, value=Decimal("-0.01"))


@pytest.mark.django_db
def test_one_meter_in_service_per_point():
    meter = MeterFactory()
    _fails(MeterFactory, metering_point=meter.metering_point)
    meter.removed_on = dt.date(2026, 1, 1)
    meter.save()
    MeterFactory(metering_point=meter.metering_point)


@pytest.mark.django_db
def test_meter_serial_is_unique_per_model():
    meter = MeterFactory()
    _fails(MeterFactory, model=meter.model, serial_number=meter.serial_number)
    MeterFactory(model="СЕ 102M", serial_number=meter.serial_number)


@pytest.mark.django_db
def test_meter_digit_capacity_and_ratio_are_sane():
    _fails(MeterFactory, digit_capacity=0)
    _fails(MeterFactory, transformation_ratio=0)


@pytest.mark.django_db
def test_point_code_is_unique():
    point = MeteringPointFactory()
    _fails(MeteringPointFactory, code=point.code)


@pytest.mark.django_db
def test_charge_is_one_per_month_and_starts_on_the_first():
    contract = ContractFactory()
    Charge.objects.create(
        billing_id="CH1", contract=contract, period=dt.date(2026, 9, 1), kwh=1, amount=10
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.create(
            billing_id="CH2", contract=contract, period=dt.date(2026, 9, 1), kwh=1, amount=10
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.create(
            billing_id="CH3", contract=contract, period=dt.date(2026, 10, 15), kwh=1, amount=10
        )


@pytest.mark.django_db
def test_billing_id_is_unique():
    contract = ContractFactory()
    _fails(ContractFactory, billing_id=contract.billing_id)


@pytest.mark.django_db
def test_point_and_meter_carry_their_contracts_counterparty():
    meter = MeterFactory()
    contract = meter.metering_point.contract
    assert meter.metering_point.counterparty_id == contract.counterparty_id
    assert meter.counterparty_id == contract.counterparty_id
