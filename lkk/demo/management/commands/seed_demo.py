import time

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Model

from lkk.billing.models import Charge, Document, Payment
from lkk.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from lkk.customers.models import ConsumptionObject, Contract, Counterparty, Meter, MeteringPoint
from lkk.demo.seed import SCALES, seed
from lkk.readings.models import Reading

COUNTED: tuple[type[Model], ...] = (
    Counterparty,
    Contract,
    ConsumptionObject,
    MeteringPoint,
    Meter,
    Reading,
    Charge,
    Payment,
    Document,
)


class Command(BaseCommand):
    help = "Loads demo data (idempotent): --scale small for a demo, large for load tests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print logins")

    def handle(self, *args: object, scale: str, quiet_logins: bool, **options: object) -> None:
        started = time.monotonic()
        added = seed(scale=scale, stream=self.stderr._out)
        elapsed = time.monotonic() - started
        self.stdout.write(f"seed_demo --scale {scale}: {elapsed:.1f} s")
        self.stdout.write("added: " + ", ".join(f"{k} {v:,}" for k, v in added.items()))
        self.stdout.write(
            "in the database: "
            + ", ".join(f"{m._meta.model_name} {m.objects.count():,}" for m in COUNTED)
        )
        if not quiet_logins:
            self.stdout.write("\nДемо-доступ (логин / пароль):")
            for login, who in DEMO_ACCOUNTS:
                self.stdout.write(f"  {login:<10} / {DEMO_PASSWORD}   {who}")
