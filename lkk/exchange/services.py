"""The exchange with billing: imports from a folder, a zip or an API body (I1), the mirror dump
in the same format, and the exactly-once export of what customers entered (I2)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lkk.applications.models import Application, Status
from lkk.customers.access import scopes_disabled
from lkk.exchange import formats
from lkk.exchange.formats import FileRejected
from lkk.exchange.importer import import_file
from lkk.exchange.models import (
    ApplicationExported,
    Channel,
    ExportBatch,
    ExportItem,
    ImportBatch,
)
from lkk.exchange.spec import ENTITIES, ORDER, Entity
from lkk.readings.models import Reading

# --- import: where the files come from ------------------------------------------------------------


class Folder:
    """An exchange folder or a .zip of one: `<entity>.csv|json` and `files/…`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        limit = settings.LKK_EXCHANGE_MAX_BYTES
        if path.is_file():
            if not zipfile.is_zipfile(path):
                raise FileRejected(_("%(path)s — не папка и не архив ZIP.") % {"path": path})
            self.zip = zipfile.ZipFile(path)
            for info in self.zip.infolist():  # what it would unpack to, not what it weighs
                formats.check_size(info.file_size, limit, info.filename)
        elif not path.is_dir():
            raise FileRejected(_("Папка %(path)s не найдена.") % {"path": path})

    def names(self) -> set[str]:
        if self.zip is not None:
            return set(self.zip.namelist())
        return {p.name for p in self.path.iterdir() if p.is_file()}

    def read(self, relative: str) -> bytes | None:
        pure = formats.safe_relative(relative)
        if pure is None:
            return None
        limit = settings.LKK_EXCHANGE_MAX_BYTES
        if self.zip is not None:
            try:
                info = self.zip.getinfo(str(pure))
            except KeyError:
                return None
            formats.check_size(info.file_size, limit, str(pure))
            return self.zip.read(info)
        target = self.path.joinpath(*pure.parts)
        if target.is_symlink() or not target.is_file():
            return None
        formats.check_size(target.stat().st_size, limit, str(pure))
        return target.read_bytes()

    def entity_files(self) -> Iterator[tuple[str, str, str]]:
        """(entity, file name, format) in the order parents before children."""
        names = self.names()
        for entity in ORDER:
            for fmt in formats.FORMATS:
                if f"{entity}.{fmt}" in names:
                    yield entity, f"{entity}.{fmt}", fmt
                    break


def import_path(
    path: Path,
    *,
    entities: tuple[str, ...] | None = None,
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
    user=None,
) -> list[ImportBatch]:
    """Imports every entity file found in a folder or a zip, parents first: a batch each."""
    folder = Folder(path)
    batches = []
    for entity, name, fmt in folder.entity_files():
        if entities and entity not in entities:
            continue
        batch = ImportBatch.objects.create(
            entity=entity, channel=Channel.COMMAND, source=str(path / name)[:500], started_by=user
        )
        try:
            data = folder.read(name) or b""
        except FileRejected as error:
            _fail(batch, error)
            batches.append(batch)
            continue
        advance: list[Callable[[int], None]] = []

        def on_total(total: int, entity=entity, advance=advance) -> None:
            if progress:
                advance.append(progress(entity, total))

        def on_rows(count: int, advance=advance) -> None:
            for step in advance:
                step(count)

        batches.append(
            import_file(
                entity, data, fmt=fmt, name=name, batch=batch, read_file=folder.read,
                on_rows=on_rows, on_total=on_total,
            )
        )  # fmt: skip
    return batches


def import_body(entity: str, body: bytes, content_type: str, *, system: str) -> ImportBatch:
    """The import API: a CSV or JSON body, or a zip holding `<entity>.csv|json` and `files/`."""
    batch = ImportBatch.objects.create(
        entity=entity, channel=Channel.API, source="API", system=system
    )
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind in ("application/zip", "application/x-zip-compressed") or body.startswith(
            b"PK\x03\x04"
        ):
            archive = zipfile.ZipFile(io.BytesIO(body))
            limit = settings.LKK_EXCHANGE_MAX_BYTES
            for info in archive.infolist():
                formats.check_size(info.file_size, limit, info.filename)
            names = set(archive.namelist())
            fmt = next((f for f in formats.FORMATS if f"{entity}.{f}" in names), None)
            if fmt is None:
                raise FileRejected(
                    _("В архиве нет файла %(entity)s.csv или %(entity)s.json.") % {"entity": entity}
                )

            def read(relative: str) -> bytes | None:
                try:
                    return archive.read(relative)
                except KeyError:
                    return None

            return import_file(
                entity, archive.read(f"{entity}.{fmt}"), fmt=fmt, name=f"{entity}.{fmt}",
                batch=batch, read_file=read,
            )  # fmt: skip
        if kind == "application/json":
            fmt = "json"
        elif kind in ("text/csv", "application/csv"):
            fmt = "csv"
        else:
            raise FileRejected(
                _("Тело запроса: нужен text/csv, application/json или application/zip.")
            )
        return import_file(entity, body, fmt=fmt, name=f"{entity}.{fmt}", batch=batch)
    except (FileRejected, zipfile.BadZipFile) as error:
        return _fail(batch, error)


def _fail(batch: ImportBatch, error: Exception) -> ImportBatch:
    batch.status = ImportBatch.Status.FAILED
    batch.error = str(error) if isinstance(error, FileRejected) else _("Архив ZIP повреждён.")
    batch.finished_at = timezone.now()
    batch.save()
    return batch


# --- the mirror in the exchange format ---------------------------------------------------------


def _text_columns(entity: Entity) -> set[str]:
    columns = {"billing_id", *(r.column for r in entity.refs)}
    for column in entity.columns:
        if isinstance(entity.model_field(column), models.CharField | models.TextField):
            columns.add(column)
    if entity.file_column:
        columns.add(entity.file_column)
    return columns


def mirror_rows(entity: Entity, files: dict[str, str] | None = None) -> Iterator[dict]:
    """The mirror's rows of one entity as the exchange files hold them (parents by billing_id).

    `files` collects the documents' PDFs to copy: relative path in the dump → stored name.
    """
    model = entity.model
    lookups = ["billing_id", *entity.columns, *(f"{r.column}__billing_id" for r in entity.refs)]
    if entity.file_column:
        lookups.append(entity.file_column)
    with scopes_disabled():
        queryset = model._default_manager.filter(entity.mirror_filter).order_by("pk")
        for values in queryset.values(*lookups).iterator(chunk_size=5000):
            row = {c: values[c] for c in ("billing_id", *entity.columns)}
            for ref in entity.refs:
                row[ref.column] = values[f"{ref.column}__billing_id"]
            if entity.file_column:
                stored = values[entity.file_column]
                if stored:
                    relative = f"files/{slugify(values['billing_id']) or 'document'}.pdf"
                    row[entity.file_column] = relative
                    if files is not None:
                        files[relative] = stored
                else:
                    row[entity.file_column] = ""
            yield row


def dump_mirror(out: Path, *, fmt: str = "csv", progress=None) -> dict[str, int]:
    """Writes the whole mirror to folder `out` in the exchange format (files/ for PDFs)."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    files: dict[str, str] = {}
    for name in ORDER:
        entity = ENTITIES[name]
        path = out / f"{name}.{fmt}"
        rows = mirror_rows(entity, files)
        if progress:
            with scopes_disabled():
                total = entity.model._default_manager.filter(entity.mirror_filter).count()
            rows = _counted(rows, progress(name, total))
        with path.open("w", encoding="utf-8", newline="") as stream:
            if fmt == "json":
                written[name] = formats.write_json(stream, entity.header, rows)
            else:
                written[name] = formats.write_csv(
                    stream, entity.header, rows, _text_columns(entity)
                )
    for relative, stored in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(stored, "rb") as handle:
            target.write_bytes(handle.read())
    return written


def _counted(rows: Iterator[dict], advance: Callable[[int], None]) -> Iterator[dict]:
    for row in rows:
        advance(1)
        yield row


# --- export to billing (I2) -------------------------------------------------------------


@dataclass(frozen=True)
class ExportSource:
    """What the portal hands to billing: rows waiting for it, how each is written, and how an
    acknowledged row is marked so that it never appears again."""

    name: str
    model: type[models.Model]
    header: tuple[str, ...]
    text_columns: frozenset[str]
    pending: Callable[[], models.QuerySet]
    serialize: Callable[[models.Model], dict]
    mark_exported: Callable[[list[int], object], None]


def _reading_pending() -> models.QuerySet:
    return Reading.objects.filter(to_export=True, exported_at__isnull=True).select_related("meter")


def _reading_row(reading: Reading) -> dict:
    return {
        "id": reading.pk,
        "meter": reading.meter.billing_id,
        "zone": reading.zone,
        "value": formats.cell(reading.value),
        "read_on": formats.cell(reading.read_on),
        "source": reading.source,
        "created_at": formats.cell(reading.created_at),
    }


def _reading_mark(ids: list[int], when) -> None:
    Reading.objects.filter(pk__in=ids).update(exported_at=when)


#: The kinds of applications billing processes (docs/exchange.md, «Заявки»): changes of the
#: contract's requisites or structure and the documents billing issues. The others (complaints,
#: consultations, technological connection…) are handled in the portal by its operators.
BILLING_KINDS = ("requisites", "contract_structure", "reconciliation", "invoice", "doc_copies")


def _application_pending() -> models.QuerySet:
    """Submitted applications of the billing kinds whose current status billing has not
    acknowledged yet: never exported, or moved to another status since."""
    acknowledged = ApplicationExported.objects.filter(
        application=models.OuterRef("pk"), status=models.OuterRef("status")
    )
    return (
        Application.objects.filter(kind__in=BILLING_KINDS)
        .exclude(status=Status.DRAFT)
        .filter(~models.Exists(acknowledged))
        .select_related("counterparty", "contract", "author")
    )


def _application_row(application: Application) -> dict:
    author = application.author
    return {
        "id": application.pk,
        "number": application.number,
        "registered_at": formats.cell(application.registered_at),
        "kind": application.kind,
        "status": application.status,
        "counterparty": application.counterparty.billing_id,
        "contract": application.contract.billing_id if application.contract else "",
        "data": json.dumps(application.data, ensure_ascii=False, sort_keys=True),
        "contact_name": author.full_name,
        "contact_email": author.email,
        "contact_phone": author.phone,
        "closed_at": formats.cell(application.closed_at),
    }


def _application_mark(ids: list[int], when) -> None:
    """Remembers the status billing took (the rows are locked by `ack`: it is the current one)."""
    statuses = Application.objects.filter(pk__in=ids).values_list("pk", "status")
    ApplicationExported.objects.bulk_create(
        [ApplicationExported(application_id=pk, status=s, exported_at=when) for pk, s in statuses],
        update_conflicts=True,
        unique_fields=["application"],
        update_fields=["status", "exported_at"],
        batch_size=1000,
    )


EXPORT_SOURCES: dict[str, ExportSource] = {
    s.name: s
    for s in (
        ExportSource(
            "readings",
            Reading,
            ("id", "meter", "zone", "value", "read_on", "source", "created_at"),
            frozenset({"meter", "zone", "source"}),
            _reading_pending,
            _reading_row,
            _reading_mark,
        ),
        ExportSource(
            "applications",
            Application,
            (
                "id",
                "number",
                "registered_at",
                "kind",
                "status",
                "counterparty",
                "contract",
                "data",
                "contact_name",
                "contact_email",
                "contact_phone",
                "closed_at",
            ),
            frozenset(
                {
                    "number",
                    "kind",
                    "status",
                    "counterparty",
                    "contract",
                    "data",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                }
            ),
            _application_pending,
            _application_row,
            _application_mark,
        ),
    )
}


def export_batch(
    source_name: str, *, channel: str, system: str = "", limit: int | None = None
) -> ExportBatch:
    """A new batch of the rows waiting for billing (those of un-acknowledged batches again).

    The rows are locked while the batch is made (SKIP LOCKED on PostgreSQL): two exports at
    the same moment never hand the same row to both. A row leaves the queue only when billing
    acknowledges it (`ack`), so a batch lost on the way is simply sent again.
    """
    source = EXPORT_SOURCES[source_name]
    limit = limit or settings.LKK_EXCHANGE_EXPORT_LIMIT
    with scopes_disabled(), transaction.atomic():
        queryset = source.pending().order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        rows = list(queryset[:limit])
        batch = ExportBatch.objects.create(
            source=source_name, channel=channel, system=system, rows_count=len(rows)
        )
        ExportItem.objects.bulk_create(
            [ExportItem(batch=batch, object_id=r.pk, payload=source.serialize(r)) for r in rows],
            batch_size=1000,
        )
    return batch


def batch_rows(batch: ExportBatch) -> list[dict]:
    return list(batch.items.order_by("object_id").values_list("payload", flat=True))


@dataclass
class AckResult:
    acked: list[int]
    already: list[int]
    changed: list[int]
    unknown: list[int]

    def report(self, batch: ExportBatch) -> dict:
        return {
            "batch": batch.pk,
            "acked": len(self.acked),
            "already_acked": self.already,
            "changed_since_export": self.changed,
            "unknown": self.unknown,
        }


def ack(batch: ExportBatch, ids: list[int] | None) -> AckResult:
    """Billing took these rows of the batch (None: all of them): they are marked exported and
    never exported again. A row changed since the batch (a correction) is not marked: its new
    value goes in the next batch."""
    source = EXPORT_SOURCES[batch.source]
    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        items = batch.items.select_for_update()
        if ids is not None:
            items = items.filter(object_id__in=ids)
        items = {i.object_id: i for i in items}
        unknown = sorted(set(ids or ()) - set(items))
        current = {
            r.pk: r
            for r in source.pending().filter(pk__in=list(items)).select_for_update(of=("self",))
        }
        acked, already, changed = [], [], []
        for object_id, item in sorted(items.items()):
            row = current.get(object_id)
            if row is None:
                already.append(object_id)  # taken through another batch, or earlier
            elif source.serialize(row) != item.payload:
                changed.append(object_id)
                continue
            else:
                acked.append(object_id)
            item.acked_at = item.acked_at or now
        source.mark_exported(acked, now)
        ExportItem.objects.bulk_update(list(items.values()), ["acked_at"], batch_size=1000)
        if not batch.items.filter(acked_at__isnull=True).exists():
            batch.acked_at = now
            batch.save(update_fields=["acked_at"])
    return AckResult(acked, already, changed, unknown)


def write_export(batch: ExportBatch, out: Path, fmt: str = "csv") -> Path:
    source = EXPORT_SOURCES[batch.source]
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{batch.source}-{batch.pk}.{fmt}"
    with path.open("w", encoding="utf-8", newline="") as stream:
        if fmt == "json":
            formats.write_json(stream, source.header, batch_rows(batch))
        else:
            formats.write_csv(stream, source.header, batch_rows(batch), set(source.text_columns))
    return path
