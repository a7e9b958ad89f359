"""factory_boy factories for the billing mirror; identifiers are valid by construction."""

import datetime as dt
from decimal import Decimal

import factory

from lkk.accounts.models import User
from lkk.core import validators
from lkk.customers import models
from lkk.readings.models import Reading


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True  # the consent hook writes its own row

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.ru")
    first_name = "Иван"
    last_name = "Тестов"
    password = factory.django.Password("correct-horse-42")

    @factory.post_generation
    def consent(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Registered users have accepted the agreement; `consent=False` makes one who has not."""
        if create and extracted is not False:
            from lkk.accounts.models import Consent
            from lkk.accounts.services.consent import agreement_current

            agreement = agreement_current()
            if agreement is not None:
                Consent.objects.get_or_create(
                    user=self, agreement=agreement, defaults={"sha256": agreement.sha256}
                )


class CounterpartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Counterparty

    billing_id = factory.Sequence(lambda n: f"T-CP-{n}")
    kind = models.Counterparty.Kind.LEGAL
    name = factory.Sequence(lambda n: f"Общество с ограниченной ответственностью «Тест-{n}»")
    short_name = factory.Sequence(lambda n: f"ООО «Тест-{n}»")
    inn = factory.Sequence(lambda n: validators.make_inn_legal(f"77{n + 1:07d}"))
    kpp = "770101001"
    ogrn = factory.Sequence(lambda n: validators.make_ogrn(f"10277{n + 1:07d}"))
    legal_address = "г. Москва, ул. Тестовая, д. 1"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contract

    billing_id = factory.Sequence(lambda n: f"T-D-{n}")
    counterparty = factory.SubFactory(CounterpartyFactory)
    number = factory.Sequence(lambda n: f"T{n:07d}")
    signed_on = dt.date(2020, 1, 15)
    kind = models.Contract.Kind.SUPPLY
    status = models.Contract.Status.ACTIVE
    price_category = 1
    voltage_level = models.VoltageLevel.LOW
    max_power_kw = Decimal("150.00")
    balance = Decimal("-1234.50")


class ConsumptionObjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ConsumptionObject

    billing_id = factory.Sequence(lambda n: f"T-O-{n}")
    contract = factory.SubFactory(ContractFactory)
    name = factory.Sequence(lambda n: f"Склад {n}")
    kind = models.ConsumptionObject.Kind.BUILDING
    address = "г. Рязань, ул. Садовая, д. 5"


class MeteringPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MeteringPoint

    billing_id = factory.Sequence(lambda n: f"T-P-{n}")
    consumption_object = factory.SubFactory(ConsumptionObjectFactory)
    contract = factory.SelfAttribute("consumption_object.contract")
    code = factory.Sequence(lambda n: f"TP{n:08d}")
    name = "Ввод 1"
    address = "г. Рязань, ул. Садовая, д. 5"
    voltage_level = models.VoltageLevel.LOW
    max_power_kw = Decimal("15.00")


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Meter

    billing_id = factory.Sequence(lambda n: f"T-M-{n}")
    metering_point = factory.SubFactory(MeteringPointFactory)
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    model = "Меркурий 230 ART-03"
    digit_capacity = 6
    decimal_places = 2
    transformation_ratio = 1
    tariff_zones = models.TariffZones.SINGLE
    installed_on = dt.date(2020, 1, 20)
    verified_on = dt.date(2020, 1, 1)
    next_verification_on = dt.date(2036, 1, 1)


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    meter = factory.SubFactory(MeterFactory)
    zone = models.Zone.TOTAL
    value = Decimal("1234.50")
    read_on = dt.date(2026, 10, 25)
    source = Reading.Source.CUSTOMER
