"""Writes for readings: submit (M1–M3, M6) and correct.

A submission is all or nothing: every meter in it passes the rules, or nothing is written and
the caller shows the verdicts beside the fields. The form's one-time token is a unique column,
so a double click, a resubmitted page or twenty concurrent requests create one receipt.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.core.bulk import insert_rows
from lkk.core.errors import ApplicationError
from lkk.customers.access import get_object_for_user, scopes_disabled
from lkk.customers.models import Meter
from lkk.readings import rules
from lkk.readings.models import Correction, Reading, Submission
from lkk.readings.selectors import zone_histories

#: What readings_record writes of a reading.
RECORD_COLUMNS = ("meter_id", "zone", "value", "read_on", "consumption", "rolled_over", "source",
                  "status", "rejection_reason", "submission_id", "submitted_by_id", "created_at",
                  "to_export")  # fmt: skip


@dataclass
class MeterInput:
    """What a customer typed for one meter: zone → text, and whether they confirmed."""

    meter: Meter
    values: dict[str, str]
    confirmed: bool = False


@dataclass
class MeterVerdict:
    meter: Meter
    zones: list[rules.ZoneVerdict] = field(default_factory=list)
    error: str = ""  # about the meter as a whole
    warning: str = ""  # accepted, with a warning

    @property
    def needs_confirmation(self) -> bool:
        return any(z.confirm for z in self.zones) and not self.has_errors

    @property
    def has_errors(self) -> bool:
        return bool(self.error) or any(z.error for z in self.zones)

    @property
    def ok(self) -> bool:
        return not self.has_errors and not self.needs_confirmation


class RejectedSubmission(ApplicationError):
    """Some meter failed the rules; nothing was written. `verdicts` say what and where."""

    def __init__(self, verdicts: list[MeterVerdict]) -> None:
        super().__init__(_("Показания не приняты: исправьте отмеченные поля."))
        self.verdicts = verdicts


def reading_window() -> rules.Window:
    return rules.Window.parse(settings.LKK_READING_WINDOW)


def readings_judge(
    *, inputs: list[MeterInput], today: dt.date, correcting: bool = False
) -> list[MeterVerdict]:
    """Applies every rule to every meter; reads the database, writes nothing.

    `correcting`: the values replace readings of `today` already on file, which therefore do not
    count as "already submitted".
    """
    histories = zone_histories(meters=[i.meter for i in inputs], today=today)
    window = reading_window()
    closed = "" if window.is_open(today) else window.closed_message(today)
    verdicts = []
    for item in inputs:
        meter = item.meter
        verdict = MeterVerdict(meter=meter)
        verdicts.append(verdict)
        filled = {zone: (item.values.get(zone) or "").strip() for zone in meter.zones}
        if not any(filled.values()):
            continue
        refusal = closed or rules.meter_refusal(meter, meter.metering_point.contract)
        if refusal:
            verdict.error = refusal
            continue
        if not all(filled.values()):
            verdict.error = _("Укажите показания по всем зонам прибора учёта.")
        for zone, raw in filled.items():
            history = histories[(meter.pk, zone)]
            zone_verdict = rules.judge_zone(
                meter=meter,
                zone=zone,
                raw=raw,
                history=history,
                today=today,
                confirmed=item.confirmed,
                jump_factor=settings.LKK_READING_JUMP_FACTOR,
            )
            if history.today is not None and not correcting and not zone_verdict.error:
                zone_verdict.error = _(
                    "Показания на сегодня уже переданы. Исправить их можно в квитанции."
                )
            verdict.zones.append(zone_verdict)
        verdict.warning = rules.meter_warning(meter, today)
    return verdicts


def readings_submit(
    *,
    user,
    token: uuid.UUID,
    inputs: list[MeterInput],
    channel: str = Submission.Channel.FORM,
    today: dt.date | None = None,
) -> tuple[Submission, bool]:
    """Writes the readings and their receipt; returns (receipt, created).

    A token seen before returns that receipt and writes nothing (created is False).
    """
    today = today or timezone.localdate()
    # The token is looked up only when the form does not pass: a form that passes is written,
    # and a token seen before then fails the INSERT of the receipt (its unique column) and is
    # answered below with its receipt, so an accepted reading costs one query less.
    verdicts = readings_judge(inputs=inputs, today=today)
    filled = [v for v in verdicts if v.zones or v.error]
    if not filled or any(not v.ok for v in filled):
        # This very form may have been recorded before (a double click, a resubmitted page):
        # its readings now count as "already submitted", but the answer is its receipt.
        existing = _receipt_for_token(user=user, token=token)
        if existing is not None:
            return existing, False
        if not filled:
            raise ApplicationError(_("Введите показания хотя бы одного прибора учёта."))
        raise RejectedSubmission(verdicts)
    try:
        submission = readings_record(
            user=user, token=token, verdicts=filled, channel=channel, today=today
        )
    except IntegrityError:
        # Another request with this token won the race (the unique token waited for its commit),
        # or a reading for today appeared meanwhile.
        existing = _receipt_for_token(user=user, token=token)
        if existing is not None:
            return existing, False
        today_taken = Reading.objects.visible_to(user).filter(
            meter__in=[v.meter for v in filled], read_on=today
        )
        if today_taken.exists():
            raise ApplicationError(
                _("Показания на сегодня уже переданы. Исправить их можно в квитанции.")
            ) from None
        raise
    return submission, True


def readings_record(
    *,
    user,
    token: uuid.UUID,
    verdicts: list[MeterVerdict],
    channel: str,
    today: dt.date,
) -> Submission:
    """Writes accepted verdicts as readings under one receipt, in one transaction.

    Every verdict must be `ok`; the meters must belong to one counterparty. Raises IntegrityError
    when the token was used meanwhile (the caller decides what that means).
    """
    if not verdicts or any(not v.ok for v in verdicts):
        raise ValueError("only accepted verdicts are recorded")
    counterparties = {v.meter.counterparty_id for v in verdicts}
    if len(counterparties) != 1:
        raise ApplicationError(_("В одной квитанции — приборы учёта одного контрагента."))
    counterparty_id = counterparties.pop()
    now = timezone.now()
    rows = [
        (v.meter.pk, z.zone, z.value, today, z.consumption, z.rolled_over,
         Reading.Source.CUSTOMER.value, Reading.Status.ACCEPTED.value, "", user.pk, now, True)
        for v in verdicts
        for z in v.zones
    ]  # fmt: skip
    if connection.vendor == "postgresql" and channel != Submission.Channel.UPLOAD:
        # A form: the receipt and its readings in one statement, which is atomic by itself —
        # one round trip instead of BEGIN, two INSERTs and COMMIT.
        return _record_at_once(
            token=token, counterparty_id=counterparty_id, user=user, channel=channel, now=now,
            rows=rows,
        )  # fmt: skip
    with transaction.atomic():
        submission = Submission.objects.create(
            token=token, counterparty_id=counterparty_id, submitted_by=user, channel=channel
        )
        if connection.vendor == "postgresql":
            # An uploaded file: one COPY instead of INSERTs of a thousand rows each.
            insert_rows(
                Reading,
                RECORD_COLUMNS,
                ((*row[:9], submission.pk, *row[9:]) for row in rows),
                batch_size=len(rows),
            )
        else:
            fields = [name for name in RECORD_COLUMNS if name != "submission_id"]
            Reading.objects.bulk_create(
                (
                    Reading(submission=submission, **dict(zip(fields, row, strict=True)))
                    for row in rows
                ),
                batch_size=1000,
            )
    return submission


def _record_at_once(*, token, counterparty_id, user, channel, now, rows) -> Submission:
    """INSERT … RETURNING the receipt and INSERT its readings from it, as one statement.

    In autocommit a failed statement (a duplicate) leaves the connection as it was; inside a
    caller's transaction it needs a savepoint to roll back to, or the caller's next query fails.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            return _record_statement(token, counterparty_id, user, channel, now, rows)
    return _record_statement(token, counterparty_id, user, channel, now, rows)


def _record_statement(token, counterparty_id, user, channel, now, rows) -> Submission:
    names = ", ".join(RECORD_COLUMNS)
    sql = f"""
        WITH receipt AS (
            INSERT INTO {Submission._meta.db_table}
                (token, counterparty_id, submitted_by_id, channel, created_at)
            VALUES (%s, %s, %s, %s, %s) RETURNING id
        ), written AS (
            INSERT INTO {Reading._meta.db_table} ({names})
            SELECT r.meter_id, r.zone, r.value, r.read_on, r.consumption, r.rolled_over,
                   r.source, r.status, r.reason, receipt.id, r.user_id, r.created_at, r.export
            FROM receipt, unnest(
                %s::bigint[], %s::text[], %s::numeric[], %s::date[], %s::numeric[],
                %s::boolean[], %s::text[], %s::text[], %s::text[], %s::bigint[],
                %s::timestamptz[], %s::boolean[]
            ) AS r(meter_id, zone, value, read_on, consumption, rolled_over, source, status,
                   reason, user_id, created_at, export)
        )
        SELECT id FROM receipt
    """  # noqa: S608 — table and column names from the models, values as parameters
    with connection.cursor() as cursor:
        columns = [list(column) for column in zip(*rows, strict=True)]
        cursor.execute(sql, [token, counterparty_id, user.pk, channel, now, *columns])
        (submission_id,) = cursor.fetchone()
    return Submission(
        pk=submission_id,
        token=token,
        counterparty_id=counterparty_id,
        submitted_by=user,
        channel=channel,
        created_at=now,
    )


def _receipt_for_token(*, user, token: uuid.UUID) -> Submission | None:
    # The token is unique among everyone's receipts: another user's is found to be refused, and
    # only the user's own is returned.
    with scopes_disabled():
        submission = Submission.objects.filter(token=token).first()
    if submission is None:
        return None
    if submission.submitted_by_id != user.pk:
        raise ApplicationError(_("Форма устарела. Откройте её заново."))
    return submission


def readings_correct(
    *, user, submission: Submission, values: dict[int, str], confirmed: bool
) -> list[MeterVerdict]:
    """Changes submitted values while billing has not taken them; keeps the old values."""
    submission = get_object_for_user(Submission, user, pk=submission.pk)
    with transaction.atomic():
        visible = Reading.objects.visible_to(user)
        readings = list(
            visible.select_for_update(of=("self",))
            .filter(submission=submission)
            .select_related("meter__metering_point__contract")
            .order_by("meter_id", "zone")
        )
        if any(not r.can_be_corrected for r in readings):
            raise ApplicationError(
                _(
                    "Показания уже учтены биллингом, исправить их нельзя. Если в них ошибка, "
                    "подайте обращение."
                )
            )
        by_meter: dict[int, MeterInput] = {}
        for reading in readings:
            item = by_meter.setdefault(
                reading.meter_id, MeterInput(meter=reading.meter, values={}, confirmed=confirmed)
            )
            item.values[reading.zone] = values.get(reading.pk, "")
        verdicts = readings_judge(
            inputs=list(by_meter.values()), today=readings[0].read_on, correcting=True
        )
        if any(not v.ok for v in verdicts):
            raise RejectedSubmission(verdicts)
        new = {(v.meter.pk, z.zone): z for v in verdicts for z in v.zones}
        changed = []
        for reading in readings:
            verdict = new[(reading.meter_id, reading.zone)]
            if verdict.value == reading.value:
                continue
            Correction.objects.create(
                reading=reading, old_value=reading.value, new_value=verdict.value, corrected_by=user
            )
            reading.value = verdict.value
            reading.consumption = verdict.consumption
            reading.rolled_over = verdict.rolled_over
            reading.exported_at = None  # billing gets the corrected value
            changed.append(reading)
        visible.bulk_update(changed, ["value", "consumption", "rolled_over", "exported_at"])
        if changed:
            submission.corrected_at = timezone.now()
            submission.save(update_fields=["corrected_at"])
    return verdicts
