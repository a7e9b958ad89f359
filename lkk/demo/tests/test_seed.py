import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from lkk.accounts.models import User
from lkk.billing.models import Charge
from lkk.core import validators
from lkk.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from lkk.customers.models import Contract, Counterparty, Meter, MeteringPoint
from lkk.readings.models import Reading


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_demo", scale="small", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seed_prints_every_demo_login(seeded):
    for login, _ in DEMO_ACCOUNTS:
        assert f"{login}" in seeded
    assert DEMO_PASSWORD in seeded


def test_seed_is_idempotent(seeded):
    counts = [m.objects.count() for m in (Counterparty, Contract, MeteringPoint, Meter, Reading)]
    call_command("seed_demo", scale="small", stdout=io.StringIO(), stderr=io.StringIO())
    assert [
        m.objects.count() for m in (Counterparty, Contract, MeteringPoint, Meter, Reading)
    ] == counts
    assert User.objects.filter(username="big_demo").count() == 1


def test_demo_identifiers_pass_their_checksums(seeded):
    for cp in Counterparty.objects.all():
        for field, check in (
            ("inn", validators.validate_inn),
            ("kpp", validators.validate_kpp),
            ("ogrn", validators.validate_ogrn),
            ("ogrnip", validators.validate_ogrnip),
            ("snils", validators.validate_snils),
        ):
            value = getattr(cp, field)
            if value:
                check(value)
        try:
            cp.full_clean()
        except ValidationError as error:  # pragma: no cover — shows which row is wrong
            pytest.fail(f"{cp.billing_id}: {error}")


def test_demo_logins_cover_every_kind_of_customer(seeded, client):
    kinds = {}
    for login in ("ul_demo", "ip_demo", "fl_demo", "big_demo"):
        user = User.objects.get(username=login)
        assert user.check_password(DEMO_PASSWORD)
        kinds[login] = Counterparty.objects.visible_to(user).get().kind
    assert kinds == {"ul_demo": "ul", "ip_demo": "ip", "fl_demo": "fl", "big_demo": "ul"}
    big = User.objects.get(username="big_demo")
    assert Contract.objects.visible_to(big).count() == 300
    assert MeteringPoint.objects.visible_to(big).count() == 3000
    assert User.objects.get(username="operator").is_staff
    assert User.objects.get(username="admin").is_superuser


def test_demo_data_looks_real(seeded):
    # Every active meter's readings never go down, and charges exist for every contract.
    meter = Meter.objects.filter(tariff_zones=2, removed_on__isnull=True).first()
    values = list(
        Reading.objects.filter(meter=meter, zone="day")
        .order_by("read_on")
        .values_list("value", flat=True)
    )
    assert len(values) >= 12
    assert values == sorted(values)
    assert not Contract.objects.filter(charges__isnull=True).exists()
    assert Charge.objects.filter(amount__gt=0).exists()
    # Some meters warn about verification, as a real customer base would.
    from django.utils import timezone

    assert Meter.objects.filter(next_verification_on__lt=timezone.localdate()).exists()


def test_demo_readings_fit_their_meters_decimals(seeded):
    """A value the meter cannot show would be shown rounded on «Главная», and a customer who
    adds to it would be refused (issue 8): billing's values have the meter's decimals."""
    readings = list(
        Reading.objects.select_related("meter").only(
            "value", "consumption", "meter__decimal_places"
        )
    )
    assert {r.meter.decimal_places for r in readings} == {1, 2}
    for r in readings:
        grain = Decimal(1).scaleb(-r.meter.decimal_places)
        assert r.value % grain == 0, (r.meter_id, r.value, r.meter.decimal_places)
        assert r.consumption is None or r.consumption % grain == 0, (r.meter_id, r.consumption)
