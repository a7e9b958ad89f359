from django.core.management.base import BaseCommand

from lkk.appointments.services import slots_generate


class Command(BaseCommand):
    help = "Makes the offices' appointment slots for the days ahead from their weekly hours."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days: int | None = None, **options) -> None:
        added = slots_generate(days=days)
        self.stdout.write(f"slots added: {added}")
