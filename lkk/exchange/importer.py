"""Import of billing's files into the mirror (I1): keyed by billing_id, idempotent, in bulk.

Rows are checked in Python first (types, lengths, choices, ИНН/КПП/ОГРН validators of the model
fields); then, per chunk of rows, one query resolves every parent billing_id to its primary key,
one query reads the rows that exist, and the new and changed rows are written in bulk (COPY on
PostgreSQL). Only a chunk the database refuses (a unique number taken, a check constraint) is
retried row by row in savepoints, so the bad row is rejected with the database's reason and the
good rows go in. The whole file is one transaction; unchanged rows are not written at all.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.core import validators as dj_validators
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lkk.billing.models import Charge, ChargeLine
from lkk.core.bulk import insert_rows
from lkk.customers.access import scopes_disabled
from lkk.exchange import formats
from lkk.exchange.formats import FileRejected
from lkk.exchange.models import ImportBatch
from lkk.exchange.spec import ENTITIES, Entity

CHUNK = 5000
_INT = re.compile(r"[+-]?[0-9]{1,18}")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,30}(\.[0-9]{1,30})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE = {"true", "1", "да"}
_FALSE = {"false", "0", "нет"}
PDF_MAGIC = b"%PDF-"

#: Reads a file beside the data file by its relative path (documents' PDFs); None if missing.
FileReader = Callable[[str], bytes | None]


class RowError(Exception):
    pass


@dataclass
class Counts:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)

    def reject(self, line: int, billing_id: object, reason: str) -> None:
        self.rejected.append({"line": line, "billing_id": str(billing_id or ""), "reason": reason})


# --- values ----------------------------------------------------------------------------------


def _text(raw: object, csv: bool) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise RowError(_("нужна строка"))
    value = str(raw)
    if "\x00" in value:
        raise RowError(_("недопустимый символ NUL"))
    return formats.unneutralise(value) if csv else value


def _bool(raw: object, csv: bool) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise RowError(_("нужно true или false"))


def _decimal(raw: object, csv: bool) -> Decimal:
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, str) and _DECIMAL.fullmatch(raw := raw.strip()):
        return Decimal(raw)
    raise RowError(_("нужно число с точкой в качестве разделителя, например 1234.56"))


def _int(raw: object, csv: bool) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and _INT.fullmatch(raw := raw.strip()):
        return int(raw)
    raise RowError(_("нужно целое число"))


def _date(raw: object, csv: bool) -> dt.date:
    if isinstance(raw, str) and _DATE.fullmatch(raw := raw.strip()):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise RowError(_("нужна дата в виде ГГГГ-ММ-ДД"))


def _converter(f: models.Field) -> Callable[[object, bool], object]:
    """How a cell (CSV text or a JSON value) becomes the value of model field `f`."""
    if isinstance(f, models.CharField | models.TextField | models.FileField):
        return _text
    if isinstance(f, models.BooleanField):
        return _bool
    if isinstance(f, models.DecimalField):
        return _decimal
    if isinstance(f, models.IntegerField):
        return _int
    if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
        return _date
    raise TypeError(f"the exchange has no type for {f!r}")  # a spec error, found at once


class AnyOf(models.Lookup):
    """`column IN (…)` for a chunk's thousands of billing_ids, as one array parameter on
    PostgreSQL (`= ANY(%s)`): Django's `__in` prepares every value and PostgreSQL parses a list
    of thousands of literals, per chunk and per parent. The values are strings as they are."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        if not values:
            return "1 = 0", params
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


#: What a quick reading returns for a cell it cannot vouch for (the full checks then run).
SLOW = object()


def _quick(f: models.Field, csv: bool, allowed: frozenset | None) -> Callable[[object], object]:
    """A quick reading of the usual cell of field `f`: its final value when a cheap test shows
    that the conversion and every validator of the field pass, else `SLOW`.

    Django's validators (a dict of params, a clean() and a tuple of digits per call) and the
    general converters cost an import of a million rows seconds; they still run for every cell
    this does not vouch for, and only they say why a value fails.
    """
    slow = lambda raw: SLOW  # noqa: E731
    checks = list(f.validators)
    if isinstance(f, models.DecimalField):
        low = high = None
        digits = None
        for validator in checks:
            kind = type(validator)
            if kind is dj_validators.DecimalValidator:
                digits = (validator.max_digits, validator.decimal_places)
            elif kind is dj_validators.MinValueValidator and not callable(validator.limit_value):
                low = validator.limit_value if low is None else max(low, validator.limit_value)
            elif kind is dj_validators.MaxValueValidator and not callable(validator.limit_value):
                high = validator.limit_value if high is None else min(high, validator.limit_value)
            else:
                return slow
        if digits is None or None in digits or digits[0] - digits[1] < 1 or allowed is not None:
            return slow
        whole, places = digits[0] - digits[1], digits[1]
        fraction = rf"(?:\.[0-9]{{1,{places}}})?" if places else ""
        # Within the digits on either side of the point, the DecimalValidator passes.
        fits = re.compile(rf"\s*[+-]?[0-9]{{1,{whole}}}{fraction}\s*").fullmatch

        def decimal(raw: object) -> object:
            if raw.__class__ is str and fits(raw):
                value = Decimal(raw)
                if (low is None or value >= low) and (high is None or value <= high):
                    return value
            return SLOW

        return decimal
    if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
        if checks or allowed is not None:
            return slow

        def date(raw: object) -> object:
            if raw.__class__ is str and _DATE.fullmatch(raw):
                try:
                    return dt.date.fromisoformat(raw)
                except ValueError:
                    pass
            return SLOW

        return date
    if isinstance(f, models.CharField | models.TextField):
        longest = None
        for validator in checks:
            kind = type(validator)
            if kind is dj_validators.MaxLengthValidator and not callable(validator.limit_value):
                longest = validator.limit_value
            elif kind is not dj_validators.ProhibitNullCharactersValidator:
                return slow
        unneutralise = formats.unneutralise

        def text(raw: object) -> object:
            # An empty cell goes the slow way: is the column required?
            if raw.__class__ is str and raw and "\x00" not in raw:
                value = unneutralise(raw) if csv else raw
                if (longest is None or len(value) <= longest) and (
                    allowed is None or value in allowed
                ):
                    return value
            return SLOW

        return text
    return slow


# --- the importer ------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    billing_id: str
    values: dict[str, object]  # attname → value
    refs: dict[str, str]  # ref column → parent billing_id
    file: bytes | None = None


class Importer:
    def __init__(self, entity: Entity, *, csv: bool, read_file: FileReader | None = None) -> None:
        self.entity = entity
        self.model = entity.model
        self.csv = csv
        self.read_file = read_file
        self.now = timezone.now()
        self.counts = Counts()
        meta = self.model._meta
        self.fields = {c: meta.get_field(c) for c in entity.columns}
        self.ref_fields = {r.column: meta.get_field(r.column) for r in entity.refs}
        # What a row is compared by and written with (attnames).
        self.compare = [f.attname for f in self.fields.values()]
        self.compare += [f.attname for f in self.ref_fields.values()]
        self.compare += [target for r in entity.refs for _src, target in r.copy]
        if entity.file_column:
            self.compare.append(entity.file_column)
        # auto_now / auto_now_add fields are set here (a bulk insert bypasses save()).
        self.stamps = [
            f.attname
            for f in meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.touch = [f.attname for f in meta.concrete_fields if getattr(f, "auto_now", False)]
        self._pick_compare = _getter(self.compare)  # a row's values → the tuple compared
        self.seen: dict[str, int] = {}
        self._prepared: dict[str, object] = {}
        self.header = frozenset(entity.header)
        # Per column: how a cell is read and checked, worked out once.
        self.plan = []
        for column, f in self.fields.items():
            empty = "" if isinstance(f, models.CharField) and not f.null else None
            if column in entity.defaults:
                fallback = entity.defaults[column]
            elif f.has_default():
                fallback = f.get_default()
            else:
                fallback = empty
            allowed = frozenset(c for c, _label in f.flatchoices) if f.choices else None
            self.plan.append((
                column, f.attname, _converter(f), fallback, entity.is_required(column), allowed,
                tuple(f.validators), _quick(f, csv, allowed),
            ))  # fmt: skip
        self.fixed: dict[str, object] = {}
        #: A check over a group of rows (a charge's lines) before they are written.
        self.whole = WHOLE[entity.name]() if entity.name in WHOLE else None

    # -- step 1: a row of text → values, or its reason --
    def parse(self, line: int, raw: dict) -> _Row | None:
        entity = self.entity
        billing_id = raw.get("billing_id")
        try:
            if "__error__" in raw:
                raise RowError(raw["__error__"])
            unknown = () if self.csv else [k for k in raw if k not in self.header]
            if unknown:
                raise RowError(_("неизвестные поля: %(names)s") % {"names": ", ".join(unknown)})
            if not isinstance(billing_id, str | int) or isinstance(billing_id, bool):
                raise RowError(_("billing_id: не заполнено обязательное поле"))
            billing_id = str(billing_id).strip()
            if not billing_id or len(billing_id) > 64 or "\x00" in billing_id:
                raise RowError(_("billing_id: нужна строка от 1 до 64 символов"))
            if billing_id in self.seen:
                raise RowError(
                    _("billing_id %(id)s уже был в строке %(line)s")
                    % {"id": billing_id, "line": self.seen[billing_id]}
                )
            self.seen[billing_id] = line
            values: dict[str, object] = {}
            csv = self.csv
            for (
                column,
                attname,
                convert,
                fallback,
                required,
                allowed,
                validators,
                quick,
            ) in self.plan:
                raw_value = raw.get(column)
                value = quick(raw_value)
                if value is not SLOW:  # the usual cell, read and checked at once
                    values[attname] = value
                    continue
                if raw_value is None or raw_value == "":
                    if required:
                        raise RowError(f"{column}: " + _("не заполнено обязательное поле"))
                    values[attname] = fallback
                    continue
                try:
                    value = convert(raw_value, csv)
                    if allowed is not None and value not in allowed:
                        raise RowError(
                            _("недопустимое значение «%(value)s», допустимы: %(allowed)s")
                            % {"value": value, "allowed": ", ".join(sorted(map(str, allowed)))}
                        )
                    for validator in validators:
                        validator(value)
                except ValidationError as error:
                    raise RowError(f"{column}: " + "; ".join(map(str, error.messages))) from None
                except RowError as error:
                    raise RowError(f"{column}: {error}") from None
                values[attname] = value
            refs = {}
            for ref in entity.refs:
                parent = raw.get(ref.column)
                if parent is None or parent == "":
                    if ref.required:
                        raise RowError(
                            _("%(col)s: не заполнено обязательное поле") % {"col": ref.column}
                        )
                    values[self.ref_fields[ref.column].attname] = None
                    continue
                if isinstance(parent, bool) or not isinstance(parent, str | int):
                    raise RowError(_("%(col)s: нужен billing_id строкой") % {"col": ref.column})
                refs[ref.column] = str(parent).strip()
            content = None
            if entity.file_column:
                content = self._file(raw.get(entity.file_column))
            return _Row(line, billing_id, values, refs, content)
        except RowError as error:
            self.counts.reject(
                line, billing_id if isinstance(billing_id, str | int) else "", str(error)
            )
            return None

    def _file(self, path: object) -> bytes | None:
        column = self.entity.file_column
        if path is None or path == "":
            return None
        if not isinstance(path, str) or (relative := formats.safe_relative(path)) is None:
            raise RowError(
                _("%(col)s: нужен относительный путь вида files/имя.pdf") % {"col": column}
            )
        content = self.read_file(str(relative)) if self.read_file else None
        if content is None:
            raise RowError(_("%(col)s: файл %(path)s не найден") % {"col": column, "path": path})
        if not content.startswith(PDF_MAGIC):
            raise RowError(_("%(col)s: файл %(path)s — не PDF") % {"col": column, "path": path})
        return content

    # -- step 2: a chunk of parsed rows, their parents resolved, → the database --
    def load(self, rows: list[_Row]) -> None:
        if not rows:
            return
        existing = {
            r[0]: r[1:]
            for r in self.model._default_manager.filter(
                AnyOf(models.F("billing_id"), [row.billing_id for row in rows])
            ).values_list("billing_id", "pk", *self.compare)
        }
        creates, updates = [], []
        ours = self._ours([row for row in rows if row.billing_id not in existing])
        for row in rows:
            have = existing.get(row.billing_id)
            if have is None and ours:
                have = ours.pop(tuple(row.values[k] for k in self.entity.natural_key), None)
                if have is not None:  # the portal's own row, now with billing's ID
                    updates.append((have[0], row))
                    continue
            if have is None:
                creates.append(row)
                continue
            if self.entity.file_column:
                self._file_compare(row, dict(zip(self.compare, have[1:], strict=True)))
            if self._pick_compare(row.values) != have[1:]:
                updates.append((have[0], row))
            else:
                self.counts.unchanged += 1
        if self.entity.file_column:
            for row in creates:
                self._file_store(row)
            for _pk, row in updates:
                self._file_store(row)
        self._create(creates)
        self._update(updates)

    def _ours(self, rows: list[_Row]) -> dict[tuple, tuple]:
        """Rows the portal made (no billing_id) that these new rows are, by the natural key:
        one query per chunk."""
        key = self.entity.natural_key
        if not key or not rows:
            return {}
        lookups = {f"{k}__in": {row.values[k] for row in rows} for k in key}
        found = self.model._default_manager.filter(billing_id__isnull=True, **lookups)
        return {r[1 : 1 + len(key)]: (r[0],) for r in found.values_list("pk", *key)}

    def _resolve(self, rows: list[_Row]) -> list[_Row]:
        """Parents' billing_ids → primary keys (and copied columns), one query per parent."""
        good = rows
        for ref in self.entity.refs:
            wanted = {row.refs[ref.column] for row in good if ref.column in row.refs}
            if not wanted:
                continue
            parent = ENTITIES[ref.entity].model
            copied = [src for src, _target in ref.copy]
            found = {
                r[0]: r[1:]
                for r in parent._default_manager.filter(
                    AnyOf(models.F("billing_id"), list(wanted))
                ).values_list("billing_id", "pk", *copied)
            }
            attname = self.ref_fields[ref.column].attname
            kept = []
            for row in good:
                if ref.column not in row.refs:
                    kept.append(row)
                    continue
                hit = found.get(row.refs[ref.column])
                if hit is None:
                    self.counts.reject(
                        row.line,
                        row.billing_id,
                        _("%(col)s: нет записи с billing_id %(id)s")
                        % {"col": ref.column, "id": row.refs[ref.column]},
                    )
                    continue
                row.values[attname] = hit[0]
                for (_src, target), value in zip(ref.copy, hit[1:], strict=True):
                    row.values[target] = value
                kept.append(row)
            good = kept
        return good

    def _file_compare(self, row: _Row, old: dict) -> None:
        """A document's PDF is compared by content: the same bytes keep the stored file."""
        column = self.entity.file_column
        stored = old[column]
        if row.file is None:
            row.values[column] = ""
            return
        if stored and default_storage.exists(stored):
            with default_storage.open(stored, "rb") as handle:
                if handle.read() == row.file:
                    row.values[column] = stored
                    row.file = None
                    return
        row.values[column] = None  # differs from anything stored; written by _file_store

    def _file_store(self, row: _Row) -> None:
        column = self.entity.file_column
        if row.file is None:
            row.values.setdefault(column, "")
            return
        name = f"documents/billing/{slugify(row.billing_id) or 'document'}.pdf"
        row.values[column] = default_storage.save(name, ContentFile(row.file))
        row.file = None

    def _columns(self) -> list[str]:
        """What a new row is inserted with: the file's columns, the time stamps, and every
        other column at its model default (a bulk insert applies no defaults)."""
        columns = ["billing_id", *self.compare, *[s for s in self.stamps if s not in self.compare]]
        for f in self.model._meta.concrete_fields:
            if f.primary_key or f.generated or f.attname in columns:
                continue
            columns.append(f.attname)
            self.fixed.setdefault(f.attname, f.get_default())
        return columns

    def _tuple(self, row: _Row, columns: list[str]) -> tuple:
        """A new row for `insert_rows`. Values go to the driver as they are (Decimal, date,
        bool and str are adapted by psycopg and by Django's SQLite adapters); the time stamps
        and defaults are prepared once."""
        if not self._prepared:
            meta = self.model._meta
            for column in columns:
                f = meta.get_field(_field_name(meta, column))
                if column in self.stamps:
                    self._prepared[column] = f.get_db_prep_save(self.now, connection)
                elif column in self.fixed:
                    self._prepared[column] = f.get_db_prep_save(self.fixed[column], connection)
            self._pick_columns = _getter(columns)
        # One dict merge and one itemgetter, both in C: a generator over the columns per row
        # cost a million-row import seconds.
        return self._pick_columns({**row.values, **self._prepared, "billing_id": row.billing_id})

    def _create(self, rows: list[_Row]) -> None:
        if not rows:
            return
        columns = self._columns()
        try:
            with transaction.atomic():
                insert_rows(self.model, columns, (self._tuple(r, columns) for r in rows))
            self.counts.created += len(rows)
            return
        except (IntegrityError, DatabaseError):
            pass
        for row in rows:  # the chunk was refused: find the row(s) the database refuses
            try:
                with transaction.atomic():
                    insert_rows(self.model, columns, [self._tuple(row, columns)])
                self.counts.created += 1
            except (IntegrityError, DatabaseError) as error:
                self.counts.reject(row.line, row.billing_id, _db_reason(error))

    def _update(self, updates: list[tuple[int, _Row]]) -> None:
        if not updates:
            return
        fields = ["billing_id", *self.compare, *self.touch]
        objs = []
        for pk, row in updates:
            obj = self.model(pk=pk, billing_id=row.billing_id)
            for attname in self.compare:
                setattr(obj, attname, row.values[attname])
            for attname in self.touch:
                setattr(obj, attname, self.now)
            objs.append(obj)
        names = [_field_name(self.model._meta, a) for a in fields]
        try:
            with transaction.atomic():
                self.model._default_manager.bulk_update(objs, names, batch_size=500)
            self.counts.updated += len(objs)
            return
        except (IntegrityError, DatabaseError):
            pass
        for obj, (_pk, row) in zip(objs, updates, strict=True):
            try:
                with transaction.atomic():
                    self.model._default_manager.bulk_update([obj], names)
                self.counts.updated += 1
            except (IntegrityError, DatabaseError) as error:
                self.counts.reject(row.line, row.billing_id, _db_reason(error))

    def run(
        self, rows: Iterable[tuple[int, dict]], on_rows: Callable[[int], None] | None = None
    ) -> Counts:
        iterator = iter(rows)
        while chunk := list(islice(iterator, CHUNK)):
            self.counts.total += len(chunk)
            parsed = [p for line, raw in chunk if (p := self.parse(line, raw)) is not None]
            rows = self._resolve(parsed)
            if self.whole is not None:
                rows = self.whole.ready(self, rows)
            self.load(rows)
            if on_rows:
                on_rows(len(chunk))
        if self.whole is not None:
            self.whole.finish(self)
        self.counts.rejected.sort(key=lambda r: r["line"])
        return self.counts


class ChargeLineSums:
    """Billing's invariant for charge lines: the lines of a charge add up to the charge's kWh
    and amount exactly, one line per zone (ChargeLine; `charge_lines_mismatch`).

    A bill whose breakdown does not add up to its total is a wrong bill: the lines of such a
    charge are not loaded at all — every one of its rows in the file is rejected with the
    reason (the sums by the lines and the charge's) — and the charge keeps the lines it had
    (or none). The portal shows the charge's total without a breakdown rather than a
    breakdown that contradicts it. The other charges' lines go in.

    What is checked is the charge's lines as they will be: its stored lines with the file's
    rows put over them by billing_id. The lines of one charge may stand anywhere in the file:
    a charge that does not add up yet waits (only its rows are kept) for the rest of its lines
    in later chunks, and is rejected at the end of the file if they never come. Two queries a
    chunk: the charges' sums and their stored lines.
    """

    def __init__(self) -> None:
        #: charge pk → (its rows waiting, the reason they would be rejected with now)
        self.pending: dict[int, tuple[list[_Row], str]] = {}

    def ready(self, importer: Importer, rows: list[_Row]) -> list[_Row]:
        groups: dict[int, list[_Row]] = {}
        for row in rows:
            values = row.values
            group = groups.setdefault(values["charge_id"], [])
            if values["vat_amount"] > values["amount"]:
                importer.counts.reject(
                    row.line, row.billing_id, _("vat_amount: НДС больше суммы строки с НДС")
                )
                continue  # its charge is still checked: its other lines will not add up
            group.append(row)
        if not groups:
            return []
        for charge_id, group in groups.items():
            held = self.pending.pop(charge_id, None)
            if held:
                group[:0] = held[0]
        charges = {
            r[0]: r[1:]
            for r in Charge.objects.filter(pk__in=list(groups)).values_list(
                "pk", "kwh", "amount", "billing_id"
            )
        }
        # The stored lines of these charges, and the file's lines stored under another charge.
        stored: dict[int, dict[str, tuple]] = {}
        owner: dict[str, tuple[int, str]] = {}
        ids = [row.billing_id for group in groups.values() for row in group]
        for charge_id, charge, billing_id, zone, kwh, amount in ChargeLine.objects.filter(
            models.Q(charge_id__in=list(groups)) | AnyOf(models.F("billing_id"), ids)
        ).values_list("charge_id", "charge__billing_id", "billing_id", "zone", "kwh", "amount"):
            if charge_id in groups:
                stored.setdefault(charge_id, {})[billing_id] = (zone, kwh, amount)
            owner[billing_id] = (charge_id, charge)
        ready = []
        for charge_id, group in groups.items():
            lines = stored.get(charge_id, {})
            kept = []
            for row in group:
                other = owner.get(row.billing_id)
                if other is not None and other[0] != charge_id:
                    # Moving it would change the other charge's sum unchecked.
                    importer.counts.reject(
                        row.line,
                        row.billing_id,
                        _(
                            "charge: строка уже есть в начислении %(charge)s, к другому "
                            "начислению она не переходит"
                        )
                        % {"charge": other[1]},
                    )
                    continue
                values = row.values
                lines[row.billing_id] = (values["zone"], values["kwh"], values["amount"])
                kept.append(row)
            group = kept
            reason = self._reason(charges[charge_id], lines.values())
            if reason is None:
                ready.extend(group)
            elif group:
                self.pending[charge_id] = (group, reason)
        return ready

    @staticmethod
    def _reason(charge: tuple, lines) -> str | None:
        charge_kwh, charge_amount, charge_id = charge
        kwh, amount, zones = Decimal(0), Decimal(0), set()
        for zone, line_kwh, line_amount in lines:
            if zone in zones:
                return _(
                    "строки начисления %(charge)s: зона %(zone)s встречается дважды — строки "
                    "этого начисления не загружены"
                ) % {"charge": charge_id, "zone": zone}
            zones.add(zone)
            kwh += line_kwh
            amount += line_amount
        if kwh == charge_kwh and amount == charge_amount:
            return None
        return _(
            "строки начисления %(charge)s не сходятся с ним: по строкам %(kwh)s кВт·ч и "
            "%(amount)s ₽, в начислении %(charge_kwh)s кВт·ч и %(charge_amount)s ₽ — строки "
            "этого начисления не загружены"
        ) % {
            "charge": charge_id,
            "kwh": kwh,
            "amount": amount,
            "charge_kwh": charge_kwh,
            "charge_amount": charge_amount,
        }

    def finish(self, importer: Importer) -> None:
        for group, reason in self.pending.values():
            for row in group:
                importer.counts.reject(row.line, row.billing_id, reason)
        self.pending.clear()


#: Checks over groups of rows, by entity.
WHOLE: dict[str, type[ChargeLineSums]] = {"charge_lines": ChargeLineSums}


def _getter(keys: list[str]) -> Callable[[dict], tuple]:
    """dict → the tuple of its values at `keys` (a tuple even for one key)."""
    pick = operator.itemgetter(*keys)
    return pick if len(keys) > 1 else lambda d: (pick(d),)


def _field_name(meta, attname: str) -> str:
    for f in meta.concrete_fields:
        if f.attname == attname:
            return f.name
    return attname


def _db_reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__
    return _("отклонено базой данных: %(error)s") % {"error": text[:300]}


# --- one file → one batch ---------------------------------------------------------------------


def import_file(
    entity_name: str,
    data: bytes,
    *,
    fmt: str,
    name: str,
    batch: ImportBatch,
    read_file: FileReader | None = None,
    on_rows: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Imports one entity's file in one transaction and records the outcome in `batch`.

    A file-level problem (encoding, header…) fails the batch with its message and imports
    nothing. Billing's data are the mirror of all customers: no one customer's scope applies.
    """
    entity = ENTITIES[entity_name]
    try:
        required = [c for c in entity.header if entity.is_required(c)]
        # Rows are read as they are imported (millions of them do not fit in memory as dicts);
        # a file-level error met on the way rolls the whole file back.
        rows = formats.read_rows(data, fmt, name, entity.header, required)
        if on_total:
            on_total(max(data.count(b"\n") - (fmt == "csv"), 1))  # one row a line, as we write
        importer = Importer(entity, csv=fmt == "csv", read_file=read_file)
        with scopes_disabled(), transaction.atomic():
            counts = importer.run(rows, on_rows)
    except FileRejected as error:
        batch.status = ImportBatch.Status.FAILED
        batch.error = str(error)
        batch.finished_at = timezone.now()
        batch.save()
        return batch
    except Exception as error:  # the run is recorded as failed, and the error raised on
        batch.status = ImportBatch.Status.FAILED
        batch.error = f"{type(error).__name__}: {str(error)[:500]}"
        batch.finished_at = timezone.now()
        batch.save()
        raise
    batch.status = ImportBatch.Status.DONE
    batch.rows_total = counts.total
    batch.created, batch.updated, batch.unchanged = counts.created, counts.updated, counts.unchanged
    batch.rejected = len(counts.rejected)
    batch.rejected_rows = counts.rejected[: ImportBatch.REJECTED_KEPT]
    batch.finished_at = timezone.now()
    batch.save()
    return batch
