import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lkk.core.progress import Progress
from lkk.exchange import services
from lkk.exchange.formats import FORMATS
from lkk.exchange.models import Channel, ExportBatch


class Command(BaseCommand):
    help = (
        "Exports what waits for billing (customers' readings) as a batch of files in the "
        "exchange format; --ack BATCH marks the rows billing took; --mirror dumps the whole "
        "billing mirror (round trips, tests)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, nargs="?")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--source", choices=sorted(services.EXPORT_SOURCES), default=None)
        parser.add_argument("--mirror", action="store_true", help="dump the billing mirror")
        parser.add_argument("--ack", type=int, metavar="BATCH", help="billing took the batch")
        parser.add_argument("--ids", default="", help="with --ack: only these row ids (1,2,3)")

    def handle(self, *args: object, **options) -> None:
        if options["ack"]:
            self._ack(options["ack"], options["ids"])
            return
        out: Path | None = options["out"]
        if out is None:
            raise CommandError("OUT folder is required")
        started = time.monotonic()
        if options["mirror"]:
            written = services.dump_mirror(out, fmt=options["format"], progress=self._progress)
            elapsed = time.monotonic() - started
            total = sum(written.values())
            self.stdout.write(
                f"export_billing --mirror: {total:,} rows in {elapsed:.1f} s → {out}: "
                + ", ".join(f"{k} {v:,}" for k, v in written.items())
            )
            return
        for name in [options["source"]] if options["source"] else sorted(services.EXPORT_SOURCES):
            batch = services.export_batch(name, channel=Channel.COMMAND)
            path = services.write_export(batch, out, options["format"])
            self.stdout.write(
                f"{name}: batch {batch.pk}, {batch.rows_count:,} rows → {path}; after billing "
                f"took them: manage.py export_billing --ack {batch.pk}"
            )

    def _progress(self, name: str, total: int):
        bar = Progress(name, total, stream=self.stderr._out)

        def advance(count: int) -> None:
            bar.advance(count)
            if bar.done == total:
                bar.close()

        return advance

    def _ack(self, batch_id: int, ids: str) -> None:
        batch = ExportBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(f"no export batch {batch_id}")
        try:
            wanted = [int(i) for i in ids.split(",") if i.strip()] or None
        except ValueError:
            raise CommandError("--ids: comma-separated numbers") from None
        result = services.ack(batch, wanted)
        self.stdout.write(str(result.report(batch)))
