"""Demo data: a realistic billing mirror with valid identifiers, built for bulk loading.

Everything is derived from stable indices, so a second run finds what exists and adds nothing,
and `--scale large` after `small` adds only the missing counterparties. Rows are built as tuples
with their primary keys and loaded with COPY (PostgreSQL) or executemany (SQLite).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import random
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from lkk.accounts.models import Consent
from lkk.accounts.services import OPERATORS_GROUP, roles_ensure
from lkk.accounts.services.consent import agreement_current, agreement_ensure_first
from lkk.billing.models import Charge, ChargeLine, Document, Payment, TariffComponent
from lkk.core import validators
from lkk.core.bulk import (
    RowMakers,
    analyze,
    indexes_after_load,
    next_id,
    reset_sequences,
    vacuum_and_analyze,
)
from lkk.core.demo import DEMO_PASSWORD
from lkk.core.progress import Progress
from lkk.customers.models import (
    AccessGrant,
    ConsumptionObject,
    Contact,
    Contract,
    Counterparty,
    Meter,
    MeteringPoint,
)
from lkk.customers.services import grant_add
from lkk.demo import content, money, names, services_visits
from lkk.demo.applications import applications_seed
from lkk.readings.models import Reading

READING_MONTHS = 15
CHARGE_MONTHS = 17
PAYMENT_MONTHS = 6
DOCUMENT_MONTHS = 3
FILLER_PREFIX = "CP-"

#: Filler counterparties on top of the four demo customers.
SCALES = {"small": 40, "large": 9996}

ZONE_SHARES = {1: (("total", 100),), 2: (("day", 70), ("night", 30)),
               3: (("peak", 30), ("half_peak", 45), ("night", 25))}  # fmt: skip
TARIFF_RUB_PER_KWH = {"ul": 980, "ip": 920, "fl": 655}  # kopecks


def _money(kopecks: int) -> str:
    sign = "-" if kopecks < 0 else ""
    kopecks = abs(kopecks)
    return f"{sign}{kopecks // 100}.{kopecks % 100:02d}"


def _value(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _month_start(day: dt.date, months_back: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class MeterSpec:
    id: int
    billing_id: str
    zones: int
    digits: int
    monthly_units: int  # in hundredths of a meter unit
    start: int
    ratio: int
    source_auto: bool
    kind: str
    decimals: int  # the meter's decimal places: every value is a multiple of 10**-decimals


@dataclass
class ContractSpec:
    id: int
    number: str
    kind: str  # counterparty kind, for tariffs and documents
    counterparty_id: int
    billing_id: str
    monthly_kwh: int = 0


@dataclass
class Builder:
    """Collects table rows with explicit primary keys."""

    today: dt.date
    ids: dict[str, int] = field(default_factory=dict)
    rows: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    meters: list[MeterSpec] = field(default_factory=list)
    contracts: list[ContractSpec] = field(default_factory=list)

    def take_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # --- one counterparty with everything under it -------------------------------------------
    def counterparty(
        self,
        *,
        rng: random.Random,
        billing_id: str,
        kind: str,
        index: int,
        contract_prefix: str,
        contracts: int,
        points_per_contract: list[int],
        name: tuple[str, str] | None = None,
    ) -> int:
        region, city = rng.choice(names.CITIES)
        address = f"{region}, {city}, {rng.choice(names.STREETS)}, д. {rng.randint(1, 120)}"
        ids = self._identifiers(kind, index)
        full, short = name or self._name(rng, kind)
        bank = rng.choice(names.BANKS)
        cp_id = self.take_id("counterparty")
        self.rows["counterparty"].append(
            (cp_id, billing_id, kind, full, short, ids["inn"], ids["kpp"], ids["ogrn"],
             ids["ogrnip"], ids["snils"], address, address, bank[0], bank[1],
             f"40702810{index:012d}", bank[2])
        )  # fmt: skip
        for j in range(1, contracts + 1):
            self._contract(rng, cp_id, billing_id, kind, index, j, contract_prefix,
                           contracts, points_per_contract[j - 1], city, region)  # fmt: skip
        return cp_id

    def _name(self, rng: random.Random, kind: str) -> tuple[str, str]:
        if kind == "ul":
            word = rng.choice(names.COMPANY_WORDS) + rng.choice(names.COMPANY_SUFFIXES)
            form = rng.choice(names.COMPANY_FORMS)
            full = {
                "ООО": "Общество с ограниченной ответственностью",
                "АО": "Акционерное общество",
                "ПАО": "Публичное акционерное общество",
                "ЗАО": "Закрытое акционерное общество",
            }[form]
            return f"{full} «{word}»", f"{form} «{word}»"
        if rng.random() < 0.5:
            person = (f"{rng.choice(names.MALE_SURNAMES)} {rng.choice(names.MALE_NAMES)} "
                      f"{rng.choice(names.PATRONYMICS_MALE)}")  # fmt: skip
        else:
            person = (f"{rng.choice(names.MALE_SURNAMES)}а {rng.choice(names.FEMALE_NAMES)} "
                      f"{rng.choice(names.PATRONYMICS_FEMALE)}")  # fmt: skip
        if kind == "ip":
            return f"Индивидуальный предприниматель {person}", f"ИП {person}"
        return person, person

    @staticmethod
    def _identifiers(kind: str, index: int) -> dict[str, str]:
        empty = {"inn": "", "kpp": "", "ogrn": "", "ogrnip": "", "snils": ""}
        if kind == "ul":
            return empty | {
                "inn": validators.make_inn_legal(f"62{index:07d}"),
                "kpp": "620101001",
                "ogrn": validators.make_ogrn(f"10262{index:07d}"),
            }
        if kind == "ip":
            return empty | {
                "inn": validators.make_inn_person(f"62{index:08d}"),
                "ogrnip": validators.make_ogrnip(f"3046200{index:07d}"),
            }
        return empty | {
            "inn": validators.make_inn_person(f"63{index:08d}"),
            "snils": validators.make_snils(f"{100_000_000 + index * 7:09d}"),
        }

    def _contract(self, rng, cp_id, cp_billing, kind, index, j, prefix, total, points, city,
                  region) -> None:  # fmt: skip
        number = f"{prefix}{index:05d}{j:03d}"
        contract_id = self.take_id("contract")
        status = "active"
        if j == total and total > 1 and index % 9 == 0:
            status = "terminated"
        elif index % 31 == 0:
            status = "suspended"
        signed = self.today - dt.timedelta(days=400 + rng.randint(0, 3000))
        voltage = "NN" if kind == "fl" or rng.random() < 0.7 else rng.choice(("SN2", "SN1"))
        category = 1 if kind == "fl" else rng.choice((1, 1, 1, 2, 3, 4))
        power = (15 if kind == "fl" else rng.choice((15, 50, 150, 300, 670, 1200))) * 100
        valid_to = (
            self.today - dt.timedelta(days=rng.randint(30, 300)) if status == "terminated" else None
        )
        self.rows["contract"].append(
            (contract_id, f"{cp_billing}-D{j:02d}", cp_id, number, signed.isoformat(),
             "supply", status, category, voltage, _money(power), signed.isoformat(),
             valid_to.isoformat() if valid_to else None, "0.00", None)
        )  # fmt: skip
        spec = ContractSpec(
            id=contract_id, number=number, kind=kind, counterparty_id=cp_id,
            billing_id=f"{cp_billing}-D{j:02d}",
        )  # fmt: skip
        self.contracts.append(spec)
        # Contacts as listed in the contract: what registration (A1) checks against.
        email = f"energo{index:05d}.{j}@example.ru"
        phone = f"+791{index:05d}{j:03d}"
        for ckind, value in (("email", email), ("phone", phone)):
            self.rows["contact"].append(
                (f"{cp_billing}-D{j:02d}-{ckind}", cp_id, contract_id, ckind, value, "")
            )
        n_objects = 1 if points < 3 else 2
        object_ids = []
        for o in range(n_objects):
            obj_kind = (
                "house" if kind == "fl" else rng.choice(("building", "premises", "plant", "site"))
            )
            obj_name = rng.choice(names.OBJECT_NAMES[obj_kind])
            obj_address = f"{region}, {city}, {rng.choice(names.STREETS)}, д. {rng.randint(1, 200)}"
            obj_id = self.take_id("object")
            self.rows["object"].append(
                (obj_id, f"{cp_billing}-D{j:02d}-O{o}", contract_id, obj_name, obj_kind,
                 obj_address)
            )  # fmt: skip
            object_ids.append((obj_id, obj_name, obj_address))
        for k in range(1, points + 1):
            self._point(
                rng, spec, cp_billing, kind, voltage, j, k, object_ids[k % n_objects], index
            )

    def _point(self, rng, contract: ContractSpec, cp_billing, kind, voltage, j, k, obj,
               index) -> None:  # fmt: skip
        obj_id, obj_name, obj_address = obj
        point_id = self.take_id("point")
        code = f"{contract.number}{k:03d}"
        power = (15 if kind == "fl" else rng.choice((5, 15, 30, 60, 100, 250))) * 100
        self.rows["point"].append(
            (point_id, f"{cp_billing}-D{j:02d}-P{k:03d}", contract.counterparty_id,
             contract.id, obj_id, code,
             f"{obj_name}, ввод {k}", obj_address, voltage, _money(power))
        )  # fmt: skip
        position = index * 13 + j * 7 + k
        zones = 1 if position % 20 < 14 else (2 if position % 20 < 19 else 3)
        if kind == "fl":
            zones = 2 if index % 3 == 0 else zones
        model, digits, decimals, _ = rng.choice([m for m in names.METER_MODELS if m[3] == zones])
        ratio = 1
        if voltage != "NN":
            ratio = rng.choice((20, 40, 60, 80, 100, 200))
        elif kind != "fl" and position % 17 == 0:
            ratio = rng.choice((30, 40, 60))
        monthly_kwh = {"fl": rng.randint(150, 450), "ip": rng.randint(400, 3000)}.get(
            kind, rng.randint(1500, 40000)
        )
        contract.monthly_kwh += monthly_kwh
        capacity = 10**digits * 100 - 1
        monthly_units = min(monthly_kwh * 100 // ratio, capacity // (READING_MONTHS + 2))
        # Monthly steps vary up to +20 %: the last reading must still fit the meter's digits.
        start = rng.randint(0, max(0, capacity - monthly_units * 12 // 10 * (READING_MONTHS + 1)))
        installed = self.today - dt.timedelta(days=rng.randint(500, 4000))
        interval_years = 16 if kind == "fl" else rng.choice((8, 12, 16))
        verified = installed
        next_verification = verified.replace(year=verified.year + interval_years, day=1)
        # Some meters need verification soon or are overdue, so the warnings show.
        if position % 25 == 0:
            next_verification = self.today + dt.timedelta(days=position % 80 + 1)
        elif position % 37 == 0:
            next_verification = self.today - dt.timedelta(days=position % 200 + 10)
        if next_verification < verified:
            verified = next_verification - dt.timedelta(days=365 * 8)
        automatic = voltage != "NN" and position % 3 == 0
        meter_id = self.take_id("meter")
        billing_id = f"{cp_billing}-D{j:02d}-P{k:03d}-M"
        self.rows["meter"].append(
            (meter_id, billing_id, contract.counterparty_id, point_id,
             f"{index:05d}{j:03d}{k:03d}", model, digits,
             decimals, ratio, zones, installed.isoformat(), None, verified.isoformat(),
             next_verification.isoformat(), automatic)
        )  # fmt: skip
        self.meters.append(MeterSpec(meter_id, billing_id, zones, digits, monthly_units, start,
                                     ratio, automatic, kind, decimals))  # fmt: skip
        if position % 50 == 0:
            # A meter replaced a year ago stays in the history.
            old_id = self.take_id("meter")
            removed = self.today - dt.timedelta(days=365)
            old_installed = (removed - dt.timedelta(days=3650)).isoformat()
            self.rows["meter"].append(
                (old_id, f"{billing_id}-OLD", contract.counterparty_id, point_id,
                 f"5{index:05d}{j:03d}{k:03d}",
                 model, digits, decimals, ratio, zones, old_installed, removed.isoformat(),
                 old_installed, (removed + dt.timedelta(days=365 * 6)).isoformat(), False)
            )  # fmt: skip

    # --- time series, made part by part (a part: a range of meters or contracts) ------------
    @functools.cached_property
    def _reading_months(self) -> list[tuple[str, str]]:
        """The reading days, oldest first: (ISO date, YYYYMM)."""
        days = [_month_start(self.today, back).replace(day=25)
                for back in range(READING_MONTHS, 0, -1)]  # fmt: skip
        return [(day.isoformat(), f"{day:%Y%m}") for day in days]

    def _periods(self, months: int) -> list[tuple[dt.date, str, str]]:
        """The last `months` months, oldest first: (first day, ISO date, YYYYMM)."""
        firsts = [_month_start(self.today, back) for back in range(months, 0, -1)]
        return [(day, day.isoformat(), f"{day:%Y%m}") for day in firsts]

    def readings(self, part: tuple[int, int | None] = (0, None)) -> Iterator[tuple]:
        months = self._reading_months
        last = len(months) - 1
        for m in self.meters[part[0] : part[1]]:
            rng = random.Random(m.id)
            randint, roll = rng.randint, rng.random
            # Values in hundredths, kept to what the meter shows (a tenth for 1 decimal).
            grain = 10 ** (2 - min(m.decimals, 2))
            zones = [
                [zone, m.start * share // 100 // grain * grain, m.monthly_units * share // 100]
                for zone, share in ZONE_SHARES[m.zones]
            ]
            prefix = f"{m.billing_id}-"
            meter = str(m.id)  # rows of strings are the fastest to write (copy_text)
            for n, (day, month) in enumerate(months):
                if m.source_auto:
                    source, status = "askue", "taken"
                elif n == last:
                    source, status = "customer", "accepted"
                else:
                    chance = roll()
                    source = (
                        "customer" if chance < 0.7 else ("billing" if chance < 0.9 else "inspector")
                    )
                    status = "taken"
                for values in zones:
                    zone, value, base = values
                    # Monthly steps vary from -20 % to +20 %.
                    step = base * randint(80, 120) // 100 // grain * grain
                    value += step
                    values[1] = value
                    billing_id = None if status == "accepted" else f"{prefix}{month}-{zone}"
                    # The first month has no earlier reading in the mirror to subtract.
                    consumption = None
                    if n:
                        used = step * m.ratio
                        consumption = f"{used // 100}.{used % 100:02d}"
                    yield (billing_id, meter, zone, f"{value // 100}.{value % 100:02d}", day,
                           source, status, consumption)  # fmt: skip

    @staticmethod
    def _charged_kwh(c: ContractSpec) -> list[int]:
        """The contract's kWh of each charged month, oldest first (CHARGE_MONTHS of them)."""
        rng = random.Random(c.id)
        return [c.monthly_kwh * rng.randint(85, 115) // 100 for _ in range(CHARGE_MONTHS)]

    def _charges_of(self, part: tuple[int, int | None]) -> Iterator[tuple]:
        """A part's charges: (id, contract, kWh, amount in kopecks, period, its YYYYMM)."""
        periods = self._periods(CHARGE_MONTHS)
        first = part[0]
        for offset, c in enumerate(self.contracts[part[0] : part[1]]):
            charge_id = self.ids["charge"] + (first + offset) * CHARGE_MONTHS
            tariff = TARIFF_RUB_PER_KWH[c.kind]
            for n, kwh in enumerate(self._charged_kwh(c)):
                period, iso, month = periods[n]
                yield charge_id + n, c, kwh, kwh * tariff, period, iso, month

    def charges(self, part: tuple[int, int | None] = (0, None)) -> Iterator[tuple]:
        for charge_id, c, kwh, amount, _period, iso, month in self._charges_of(part):
            yield (str(charge_id), f"CH-{c.number}-{month}", str(c.id), iso, f"{kwh}.000",
                   _money(amount))  # fmt: skip

    def charge_lines(self, part: tuple[int, int | None] = (0, None)) -> Iterator[tuple]:
        """The zone lines of a part's charges (B1): lkk/demo/money.py splits a charge."""
        return money.lines(
            (charge_id, c.id, c.kind, kwh * 1000, amount, f"CH-{c.number}-{month}")
            for charge_id, c, kwh, amount, _period, _iso, month in self._charges_of(part)
        )

    def tariff_components(self, part: tuple[int, int | None] = (0, None)) -> Iterator[tuple]:
        """The tariff components (R3) of a part's contracts for the charged months."""
        periods = self._periods(money.COMPONENT_MONTHS)
        for c in self.contracts[part[0] : part[1]]:
            yield from money.components(c.id, c.billing_id, c.kind, periods)

    @functools.cached_property
    def _payment_months(self) -> list[tuple[str, str, str]]:
        """The paid months, oldest first: (YYYYMM, MM.YYYY, the next month's "YYYY-MM-")."""
        months = []
        for back in range(PAYMENT_MONTHS, 0, -1):
            period = _month_start(self.today, back)
            paid_month = _month_start(self.today, back - 1)
            months.append((f"{period:%Y%m}", f"{period:%m.%Y}", f"{paid_month:%Y-%m}-"))
        return months

    def _payments_of(self, c: ContractSpec) -> tuple[list[tuple], int]:
        """A contract's payments and the balance they leave (in kopecks)."""
        rng = random.Random(c.id * 3 + 1)
        contract = str(c.id)
        payments, balance = [], 0
        charged = c.monthly_kwh * TARIFF_RUB_PER_KWH[c.kind]
        for month, shown, paid_month in self._payment_months:
            paid = charged if rng.random() < 0.8 else charged * rng.randint(50, 95) // 100
            balance += paid - charged
            paid_on = f"{paid_month}{rng.randint(5, 18):02d}"
            payments.append(
                (f"PAY-{c.number}-{month}", contract, paid_on, _money(paid),
                 f"{rng.randint(100, 9999)}", f"Оплата по договору {c.number} за {shown}")
            )  # fmt: skip
        return payments, balance

    def payments(self, part: tuple[int, int | None] = (0, None)) -> Iterator[tuple]:
        for c in self.contracts[part[0] : part[1]]:
            yield from self._payments_of(c)[0]

    def contracts_with_balances(self, part: tuple[int, int | None] = (0, None)) -> Iterator[tuple]:
        """The contracts' rows, each with the balance its payments leave (an UPDATE per
        balance after the load took longer than the contracts' COPY)."""
        balance_on = self.today.replace(day=1).isoformat()
        start, stop = part[0], len(self.contracts) if part[1] is None else part[1]
        for row, c in zip(
            self.rows["contract"][start:stop], self.contracts[start:stop], strict=True
        ):
            yield (*row[:-2], _money(self._payments_of(c)[1]), balance_on)

    def documents(self, part: tuple[int, int | None] = (0, None)) -> Iterator[tuple]:
        months = []
        for back in range(DOCUMENT_MONTHS, 0, -1):
            period = _month_start(self.today, back)
            issued = _month_start(self.today, back - 1).replace(day=3)
            months.append((back, period.isoformat(), f"{period:%y%m}", f"{period:%Y%m}",
                           issued.isoformat()))  # fmt: skip
        for c in self.contracts[part[0] : part[1]]:
            kinds = ("invoice",) if c.kind == "fl" else ("invoice", "upd")
            contract = str(c.id)
            charged = self._charged_kwh(c)
            tariff = TARIFF_RUB_PER_KWH[c.kind]
            for back, period, short, month, issued in months:
                # A month's documents are for what was charged that month (B2: their lines).
                amount = _money(charged[CHARGE_MONTHS - back] * tariff)
                for kind in kinds:
                    yield (f"DOC-{kind}-{c.number}-{month}", contract, kind,
                           f"{c.number}/{short}", issued, period, amount, "")  # fmt: skip

    def rows_of(self, part: tuple[str, int, int]) -> list[tuple]:
        """A slice of a table's rows made in this process (counterparties, contracts, …)."""
        key, start, stop = part
        return self.rows[key][start:stop]


COLUMNS = {
    "counterparty": (Counterparty, ("id", "billing_id", "kind", "name", "short_name",
                     "inn", "kpp", "ogrn", "ogrnip", "snils", "legal_address", "postal_address",
                     "bank_name", "bank_bik", "bank_account", "bank_corr_account")),
    "contract": (Contract, ("id", "billing_id", "counterparty_id", "number",
                 "signed_on", "kind", "status", "price_category", "voltage_level", "max_power_kw",
                 "valid_from", "valid_to", "balance", "balance_on")),
    "contact": (Contact, ("billing_id", "counterparty_id", "contract_id", "kind",
                "value", "person")),
    "object": (ConsumptionObject, ("id", "billing_id", "contract_id", "name", "kind",
               "address")),
    "point": (MeteringPoint, ("id", "billing_id", "counterparty_id", "contract_id",
              "consumption_object_id", "code", "name", "address", "voltage_level",
              "max_power_kw")),
    "meter": (Meter, ("id", "billing_id", "counterparty_id", "metering_point_id",
              "serial_number",
              "model", "digit_capacity", "decimal_places", "transformation_ratio", "tariff_zones",
              "installed_on", "removed_on", "verified_on", "next_verification_on",
              "is_automatic")),
}  # fmt: skip
READING_COLUMNS = ("billing_id", "meter_id", "zone", "value", "read_on", "source", "status",
                   "consumption")  # fmt: skip
CHARGE_COLUMNS = ("id", "billing_id", "contract_id", "period", "kwh", "amount")
PAYMENT_COLUMNS = ("billing_id", "contract_id", "paid_on", "amount",
                   "document_number", "purpose")  # fmt: skip
DOCUMENT_COLUMNS = ("billing_id", "contract_id", "kind", "number", "issued_on",
                    "period", "amount", "file")  # fmt: skip


@dataclass(frozen=True)
class DemoCustomer:
    username: str
    billing_id: str
    kind: str
    index: int
    contracts: int
    points: int
    name: tuple[str, str]
    first_name: str
    last_name: str
    email: str


DEMO_CUSTOMERS = (
    DemoCustomer("ul_demo", "DEMO-UL", "ul", 90001, 3, 10,
                 ("Общество с ограниченной ответственностью «Окский хлебокомбинат»",
                  "ООО «Окский хлебокомбинат»"), "Ольга", "Морозова", "ul_demo@example.ru"),
    DemoCustomer("ip_demo", "DEMO-IP", "ip", 90002, 1, 2,
                 ("Индивидуальный предприниматель Соколова Анна Викторовна",
                  "ИП Соколова Анна Викторовна"), "Анна", "Соколова", "ip_demo@example.ru"),
    DemoCustomer("fl_demo", "DEMO-FL", "fl", 90003, 1, 1,
                 ("Петров Сергей Николаевич", "Петров Сергей Николаевич"), "Сергей", "Петров",
                 "fl_demo@example.ru"),
    DemoCustomer("big_demo", "DEMO-BIG", "ul", 90004, 300, 10,
                 ("Акционерное общество «Промтехкомплекс»", "АО «Промтехкомплекс»"), "Игорь",
                 "Лебедев", "big_demo@example.ru"),
)  # fmt: skip


def _filler_plan(index: int) -> tuple[str, int, list[int]]:
    kind = "ul" if index % 10 < 6 else ("ip" if index % 10 < 8 else "fl")
    contracts = 1 + (index * 7) % 5
    points = [1 + ((index * 13 + j * 7) % 6) for j in range(1, contracts + 1)]
    return kind, contracts, points


def seed(*, scale: str, stream: TextIO, today: dt.date | None = None) -> dict[str, int]:
    """Loads the demo data for a scale; returns how many rows of each kind were added."""
    today = today or timezone.localdate()
    with transaction.atomic():
        roles_ensure()
        agreement_ensure_first()
        builder = Builder(today=today)
        for key, (model, _) in COLUMNS.items():
            builder.ids[key] = next_id(model)
        existing = set(
            Counterparty.objects.filter(billing_id__startswith=("DEMO-")).values_list(
                "billing_id", flat=True
            )
        )
        new_demo = [c for c in DEMO_CUSTOMERS if c.billing_id not in existing]
        for c in new_demo:
            builder.counterparty(
                rng=random.Random(c.index), billing_id=c.billing_id, kind=c.kind, index=c.index,
                contract_prefix="7", contracts=c.contracts,
                points_per_contract=[c.points] * c.contracts, name=c.name,
            )  # fmt: skip
        have_fillers = set(
            Counterparty.objects.filter(billing_id__startswith=FILLER_PREFIX).values_list(
                "billing_id", flat=True
            )
        )
        for index in range(1, SCALES[scale] + 1):
            billing_id = f"{FILLER_PREFIX}{index:06d}"
            if billing_id in have_fillers:
                continue
            kind, contracts, points = _filler_plan(index)
            builder.counterparty(
                rng=random.Random(index), billing_id=billing_id, kind=kind, index=index,
                contract_prefix="6", contracts=contracts, points_per_contract=points,
            )  # fmt: skip
        # The demo's PDFs are rendered by a thread while PostgreSQL stores rows.
        pdfs: list[threading.Thread | None] = []
        counts = _load(builder, stream, meanwhile=lambda: pdfs.append(content.pdfs_ahead()))
        _users(new_demo)
        counts["applications"] = applications_seed()
        services_visits.load(today=today)
        for thread in pdfs:
            if thread is not None:
                thread.join()
        content.content_seed(today=today)  # S2/S4/S5, T2/T3
    if any(counts.values()):
        # After the commit, by two connections at once; the biggest tables first.
        vacuum_and_analyze(
            (Meter, MeteringPoint, ConsumptionObject, Contract, Counterparty),
            (Reading, TariffComponent, ChargeLine, Charge, Payment, Document, Contact),
        )
    return counts


def load_counterparty(
    *,
    billing_id: str,
    index: int,
    kind: str = "ul",
    contracts: int = 1,
    points: int = 1,
    today: dt.date | None = None,
    stream: TextIO | None = None,
) -> Counterparty:
    """One counterparty with contracts, points, meters and their history, loaded in bulk.

    Tests use it to build a customer of any size in a fraction of a second.
    """
    builder = Builder(today=today or timezone.localdate())
    for key, (model, _) in COLUMNS.items():
        builder.ids[key] = next_id(model)
    builder.counterparty(
        rng=random.Random(index), billing_id=billing_id, kind=kind, index=index,
        contract_prefix="8", contracts=contracts, points_per_contract=[points] * contracts,
    )  # fmt: skip
    with transaction.atomic():
        _load(builder, stream or io.StringIO())
        analyze(
            *(model for model, _ in COLUMNS.values()),
            Reading,
            *(model for model, _ in BILLING_COLUMNS.values()),
        )
    return Counterparty.objects.get(billing_id=billing_id)


#: The billing tables the seed loads after the readings, in that order.
BILLING_COLUMNS = {
    "charge": (Charge, CHARGE_COLUMNS),
    "payment": (Payment, PAYMENT_COLUMNS),
    "document": (Document, DOCUMENT_COLUMNS),
    "charge_line": (ChargeLine, money.LINE_COLUMNS),
    "tariff_component": (TariffComponent, money.COMPONENT_COLUMNS),
}
#: Rows a worker makes at a time: meters' readings, contracts' billing rows, other rows.
PART_METERS = 2000
PART_CONTRACTS = 1000
PART_ROWS = 20000


def _parts(total: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def _load(
    builder: Builder, stream: TextIO, meanwhile: Callable[[], object] | None = None
) -> dict[str, int]:
    """COPY every table, its indexes and constraints built after its rows (lkk/core/bulk.py).

    The rows are made by worker processes (RowMakers) in the order they are loaded, ahead of
    their COPY: while PostgreSQL stores the customers' rows and builds their indexes, the
    workers make the readings, and so on. `meanwhile` is called once the workers are forked
    (a thread started before the fork would be copied into them mid-work) and have made the
    customers' rows: when PostgreSQL starts building the customers' indexes.
    """
    counts: dict[str, int] = {}
    builder.ids["charge"] = next_id(Charge)
    contracts = builder.contracts
    zones = sum(len(money.ZONE_SPLITS[money.zones_of(c.id, c.kind)]) for c in contracts)
    totals = {
        "reading": sum(len(ZONE_SHARES[m.zones]) * READING_MONTHS for m in builder.meters),
        "charge": len(contracts) * CHARGE_MONTHS,
        "payment": len(contracts) * PAYMENT_MONTHS,
        "document": sum((1 if c.kind == "fl" else 2) * DOCUMENT_MONTHS for c in contracts),
        "charge_line": zones * CHARGE_MONTHS,
        "tariff_component": len(contracts)
        * money.COMPONENT_MONTHS
        * (len(money.COMPONENT_SHARES) + 1),  # infrastructure takes the rest
    }
    makers = {
        "rows": builder.rows_of,
        "contract": builder.contracts_with_balances,
        "payment": builder.payments,
        "reading": builder.readings,
        "charge": builder.charges,
        "document": builder.documents,
        "charge_line": builder.charge_lines,
        "tariff_component": builder.tariff_components,
    }
    models = [model for model, _ in COLUMNS.values()]
    with RowMakers(makers) as made:
        # Queued in the order of the loads below: the workers make them in that order.
        started = {}
        for key in COLUMNS:
            if key == "contract":  # made with their balances
                started[key] = made.start(key, _parts(len(contracts), PART_ROWS))
            else:
                parts = _parts(len(builder.rows[key]), PART_ROWS)
                started[key] = made.start("rows", [(key, *part) for part in parts])
        started["reading"] = made.start("reading", _parts(len(builder.meters), PART_METERS))
        for key in BILLING_COLUMNS:
            started[key] = made.start(key, _parts(len(contracts), PART_CONTRACTS))
        with indexes_after_load(*models):
            for key, (model, columns) in COLUMNS.items():
                rows = builder.rows[key]
                counts[key] = _insert(made, model, columns, started[key], len(rows), key, stream)
            if meanwhile is not None:
                meanwhile()  # while PostgreSQL builds the indexes of the customers' tables
        with indexes_after_load(Reading):
            counts["reading"] = _insert(
                made, Reading, READING_COLUMNS, started["reading"], totals["reading"], "reading",
                stream,
            )  # fmt: skip
        with indexes_after_load(*(model for model, _ in BILLING_COLUMNS.values())):
            for key, (model, columns) in BILLING_COLUMNS.items():
                counts[key] = _insert(made, model, columns, started[key], totals[key], key, stream)
    for key, count in money.load(stream).items():  # older charges without lines, if any
        counts[key] += count
    reset_sequences(Counterparty, Contract, ConsumptionObject, MeteringPoint, Meter, Charge)
    return counts


def _insert(made: RowMakers, model, columns, started, total: int, label: str,
            stream: TextIO) -> int:  # fmt: skip
    if total == 0:
        return 0
    progress = Progress(label, total, stream=stream)
    count = made.insert(model, columns, started, on_batch=progress.advance)
    progress.close()
    return count


def _users(new_demo: list[DemoCustomer]) -> None:
    user_model = get_user_model()
    # The demo password hashed once for every demo login (Argon2 is slow on purpose).
    hashed = functools.cache(lambda: make_password(DEMO_PASSWORD))
    for c in DEMO_CUSTOMERS:
        user, created = user_model.objects.get_or_create(
            username=c.username,
            defaults={"first_name": c.first_name, "last_name": c.last_name, "email": c.email},
        )
        if created:
            user.password = hashed()
            user.save(update_fields=["password"])
        counterparty = Counterparty.objects.get(billing_id=c.billing_id)
        if not AccessGrant.objects.filter(user=user, counterparty=counterparty).exists():
            grant_add(user=user, counterparty_id=counterparty.pk, contract_ids=None, via="demo")
        agreement = agreement_current()
        if agreement is not None:
            Consent.objects.get_or_create(
                user=user, agreement=agreement, defaults={"sha256": agreement.sha256}
            )
    operator, created = user_model.objects.get_or_create(
        username="operator",
        defaults={"first_name": "Мария", "last_name": "Оператова", "is_staff": True,
                  "email": "operator@example.ru"},
    )  # fmt: skip
    if created:
        operator.password = hashed()
        operator.save(update_fields=["password"])
    operator.groups.add(Group.objects.get(name=OPERATORS_GROUP))
    if not user_model.objects.filter(username="admin").exists():
        admin = user_model.objects.create_superuser(
            "admin", "admin@example.ru", None, first_name="Админ", last_name="Системный"
        )
        admin.password = hashed()
        admin.save(update_fields=["password"])
