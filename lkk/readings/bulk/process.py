"""Processing an upload: judging every row by the form's rules and recording the result."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lkk.core.errors import ApplicationError
from lkk.core.lists import in_ids
from lkk.customers.access import scopes_disabled
from lkk.customers.models import Counterparty, Meter
from lkk.readings.bulk.files import FileRow, file_error, file_rows
from lkk.readings.bulk.template import zone_label
from lkk.readings.models import BulkUpload, Submission
from lkk.readings.services import MeterInput, MeterVerdict, readings_judge, readings_record

# --- Processing an upload --------------------------------------------------------------------

#: What the rules and the report read of a meter, its point and contract: loading only these
#: builds thousands of model instances several times faster.
JUDGED_FIELDS = (
    "counterparty_id", "metering_point", "serial_number", "digit_capacity", "decimal_places",
    "transformation_ratio", "tariff_zones", "removed_on", "next_verification_on", "is_automatic",
    "metering_point__code", "metering_point__contract", "metering_point__contract__number",
    "metering_point__contract__status",
)  # fmt: skip


def upload_process(
    *,
    user,
    counterparty: Counterparty,
    token: uuid.UUID,
    upload: IO[bytes],
    file_name: str,
    size: int,
    today: dt.date | None = None,
) -> tuple[BulkUpload, bool]:
    """Reads, judges and records an uploaded file; returns (the upload's record, created).

    A token seen before returns that record and reads nothing (created is False). The rows that
    pass every rule are written under one receipt, in one transaction together with the record;
    a row is all its zones or nothing. The queries do not depend on the number of rows, except
    the INSERTs of readings, which go in batches.
    """
    today = today or timezone.localdate()
    existing = _upload_for_token(user=user, token=token)
    if existing is not None:
        return existing, False
    rows = file_rows(upload=upload, size=size)
    if not rows:
        raise file_error(
            _("В файле нет ни одной строки с показаниями: заполните столбцы «Т1»–«Т3».")
        )
    accepted, rejected = _judge_rows(user=user, counterparty=counterparty, rows=rows, today=today)
    try:
        with transaction.atomic():
            submission = None
            if accepted:
                submission = readings_record(
                    user=user,
                    token=token,
                    verdicts=accepted,
                    channel=Submission.Channel.UPLOAD,
                    today=today,
                )
            record = BulkUpload.objects.create(
                token=token,
                counterparty=counterparty,
                uploaded_by=user,
                file_name=(file_name or "")[-255:],
                rows_total=len(rows),
                rows_accepted=len(accepted),
                rows_rejected=len(rejected),
                submission=submission,
                rejected_rows=rejected,
            )
    except IntegrityError:
        # The same form was posted again and the first request committed meanwhile, or some of
        # these meters got today's readings by another way since they were judged.
        existing = _upload_for_token(user=user, token=token)
        if existing is not None:
            return existing, False
        raise file_error(
            _(
                "Пока файл загружался, показания некоторых приборов учёта на сегодня были переданы "
                "другим способом. Загрузите файл ещё раз: такие строки будут отклонены с причиной."
            )
        ) from None
    return record, True


def _upload_for_token(*, user, token: uuid.UUID) -> BulkUpload | None:
    # The token is unique among everyone's uploads: another user's is found to be refused, and
    # only the user's own is returned.
    with scopes_disabled():
        record = BulkUpload.objects.filter(token=token).first()
    if record is None:
        return None
    if record.uploaded_by_id != user.pk:
        raise ApplicationError(_("Форма устарела. Откройте её заново."))
    return record


def _judge_rows(
    *, user, counterparty: Counterparty, rows: list[FileRow], today: dt.date
) -> tuple[list[MeterVerdict], list[dict[str, object]]]:
    """(accepted verdicts, rejected rows) — one query for the meters, one for their history."""
    wanted = {r.meter_id for r in rows if r.meter_id is not None}
    meters = {
        m.pk: m
        for m in Meter.objects.visible_to(user)
        .filter(in_ids("pk", wanted), counterparty=counterparty)
        .select_related("metering_point__contract")
        .only(*JUDGED_FIELDS)
    }
    rows_of_meter: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        if r.meter_id in meters:
            rows_of_meter[r.meter_id].append(r.row)

    rejected: list[dict[str, object]] = []

    def reject(r: FileRow, meter: Meter | None, reason: str) -> None:
        rejected.append(
            {
                "row": r.row,
                "serial": meter.serial_number if meter else r.serial,
                "point": meter.metering_point.code if meter else r.point,
                "reason": reason,
            }
        )

    judged: list[tuple[FileRow, Meter]] = []
    inputs: list[MeterInput] = []
    for r in rows:
        meter = meters.get(r.meter_id) if r.meter_id is not None else None
        if meter is None:
            reason = _("Прибор учёта не найден среди ваших.")
            if r.meter_id is None:
                reason += " " + _("Столбец «ID» пуст или изменён: не меняйте его в шаблоне.")
            reject(r, None, reason)
            continue
        if len(rows_of_meter[meter.pk]) > 1:
            reject(
                r,
                meter,
                _(
                    "Прибор учёта указан в файле несколько раз (строки %(rows)s): оставьте одну "
                    "строку."
                )
                % {"rows": ", ".join(map(str, rows_of_meter[meter.pk]))},
            )
            continue
        zones = meter.zones
        if any(r.values[len(zones) :]):
            reject(
                r,
                meter,
                _(
                    "У прибора учёта зон: %(count)s (%(zones)s). Столбцы после «Т%(count)s» "
                    "оставьте пустыми."
                )
                % {"count": len(zones), "zones": ", ".join(zone_label(meter, z) for z in zones)},
            )
            continue
        judged.append((r, meter))
        inputs.append(
            MeterInput(
                meter=meter,
                values={zone: r.values[i] for i, zone in enumerate(zones)},
                confirmed=r.confirmed,
            )
        )

    accepted: list[MeterVerdict] = []
    verdicts = readings_judge(inputs=inputs, today=today) if inputs else []
    for (r, meter), verdict in zip(judged, verdicts, strict=True):
        if verdict.ok and verdict.zones:
            accepted.append(verdict)
        else:
            reject(r, meter, verdict_reason(verdict))
    rejected.sort(key=lambda item: item["row"])
    return accepted, rejected


def verdict_reason(verdict: MeterVerdict) -> str:
    """Why a meter's row was not accepted: its error, every zone's error or question."""
    meter = verdict.meter
    parts = [verdict.error] if verdict.error else []
    for zone in verdict.zones:
        message = zone.error or zone.confirm
        if message:
            parts.append(f"{zone_label(meter, zone.zone)}: {message}")
    if verdict.needs_confirmation:
        parts.append(
            _(
                "Если показания верны, напишите «да» в столбце «Подтверждаю (да)» и загрузите "
                "файл ещё раз."
            )
        )
    return " ".join(parts) or _("Показания не приняты.")
