import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lkk.core.progress import Progress
from lkk.exchange.formats import FileRejected
from lkk.exchange.services import import_path
from lkk.exchange.spec import ORDER


class Command(BaseCommand):
    help = (
        "Imports billing's exchange files (docs/exchange.md) from a folder or a .zip: "
        "one transaction per file, rows keyed by billing_id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--entity", action="append", choices=ORDER, help="only these files")

    def handle(
        self, *args: object, path: Path, entity: list[str] | None, **options: object
    ) -> None:
        bars: list[Progress] = []

        def progress(name: str, total: int):
            if bars:
                bars.pop().close()  # the previous file's bar stays on its line
            bar = Progress(name, total, stream=self.stderr._out)
            bars.append(bar)
            return bar.advance

        started = time.monotonic()
        try:
            batches = import_path(path, entities=tuple(entity or ()), progress=progress)
        except FileRejected as error:
            raise CommandError(str(error)) from None
        finally:
            for bar in bars:
                bar.close()
        elapsed = time.monotonic() - started
        if not batches:
            raise CommandError(f"{path}: no exchange files (counterparties.csv, …) found")
        total = 0
        for batch in batches:
            total += batch.rows_total
            if batch.error:
                self.stdout.write(f"{batch.entity}: FAILED: {batch.error}")
                continue
            rate = batch.rows_total / batch.seconds if batch.seconds else 0
            self.stdout.write(
                f"{batch.entity}: {batch.rows_total:,} rows — created {batch.created:,}, "
                f"updated {batch.updated:,}, unchanged {batch.unchanged:,}, "
                f"rejected {batch.rejected:,} ({batch.seconds:.1f} s, {rate:,.0f} rows/s; "
                f"batch {batch.pk})"
            )
            for row in batch.rejected_rows[:20]:
                self.stdout.write(f"  line {row['line']} {row['billing_id']}: {row['reason']}")
        rate = total / elapsed if elapsed else 0
        self.stdout.write(f"import_billing: {total:,} rows in {elapsed:.1f} s ({rate:,.0f} rows/s)")
        if any(b.error for b in batches):
            raise CommandError("some files were refused (see above)")
